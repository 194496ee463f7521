import type { LabelledTexts } from '../../../server/intent/dataset.js';

const templates: Record<string, string[]> = {
  card_arrival: ['where is my {x} card', 'my {x} card has not arrived', 'when will the {x} card come', '我的{x}卡还没到'],
  refund: ['i want a refund for the {x}', 'give me my money back for {x}', 'refund the {x} please', '{x}要退款'],
  password: ['i forgot my {x} password', 'reset the {x} password', 'cannot log in to {x}', '{x}密码忘了'],
};
const fillers = ['new', 'old', 'blue', 'visa', 'spare', 'second'];

/** A small, made-up three-intent set in English and Chinese for fast unit tests. */
export function syntheticIntents(): LabelledTexts {
  const texts: string[] = [];
  const labels: string[] = [];
  for (const [label, forms] of Object.entries(templates)) {
    for (const form of forms) {
      for (const x of fillers) {
        texts.push(form.replace('{x}', x));
        labels.push(label);
      }
    }
  }
  return { texts, labels };
}
