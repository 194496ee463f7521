/** Deterministic random numbers and realistic message bodies for the history seed. */

/** The project's seeded PRNG (mulberry32), under the name the history bench uses. */
export { seededRandom as rng } from '../../server/intent/random.js';

/** Escapes a value for COPY … (FORMAT text): backslash, tab, newline and carriage return. */
export const copyText = (v: string): string => v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));

const CUSTOMER = [
  'Hi, I ordered a blue jacket last week and it still has not arrived.',
  'Can you tell me where my package is?',
  'The tracking number you sent does not work.',
  'I was charged twice for the same order, could you check?',
  'hello?',
  'Is anyone there',
  'My order number is #%N.',
  'I would like to return the shoes, they are too small.',
  'The app keeps logging me out every few minutes, on both my phone and my laptop.',
  'Thanks!',
  'ok',
  'That worked, thank you so much 🙏',
  'Do you ship to Canada? And if so, how long does it usually take and are there customs fees?',
  'I tried resetting my password but the email never comes. I checked spam too.',
  'Can I change the delivery address? I moved last week.',
  'Where do I find the invoice for my company, we need it for accounting',
  'The discount code SPRING%N says it is expired but the newsletter said it is valid until the end of the month.',
  'I need to cancel my subscription before it renews tomorrow.',
  "It says \"payment failed\" but my bank says the money is gone.",
  'Sorry, one more question: can I pick it up at the store instead?',
];
const AGENT = [
  'Hi there, thanks for reaching out! Let me look into that for you.',
  'Could you share your order number, please?',
  'I can see the order. It left our warehouse on Tuesday and should arrive within 2-3 business days.',
  'I am sorry about the trouble. I have refunded the duplicate charge; it can take 5-7 days to show up.',
  'You are welcome! Is there anything else I can help with?',
  'I have sent a new password reset link to your email address.',
  'Yes, we ship to Canada. Delivery usually takes 5-8 business days, and duties are included at checkout.',
  'Done, the delivery address is updated.',
  'Here is the link to your invoices: https://example.com/account/invoices?ref=%N',
  'I have escalated this to our billing team, they will get back to you within 24 hours.',
  'Thanks for your patience!',
  'Could you try clearing the app cache and signing in again? On iOS: Settings → Apps → Shop → Clear cache.',
  'The code was a one-time code, but I have applied the same 15% discount to your order manually.',
  'Your subscription is cancelled; you will keep access until the end of the billing period.',
  'Have a great day!',
];
const NOTES = [
  'Customer is a VIP, handle with care.',
  'Checked with billing: duplicate charge confirmed, refund issued.',
  'Possible fraud, do not refund before the payment team confirms.',
  'Follow up on Monday if the parcel has not arrived.',
];
const LOREM = 'we have been customers for years and this is the first time something like this happened so please let me know what the next steps are and whether I need to send anything else'.split(' ');

/** Pools of escaped bodies of varied length (a few words to ~1 KB), drawn by index. */
export interface BodyPools {
  customer: string[];
  agent: string[];
  note: string[];
}

export function bodyPools(random: () => number, size = 2048): BodyPools {
  const make = (phrases: string[]) =>
    Array.from({ length: size }, () => {
      let s = phrases[Math.floor(random() * phrases.length)]!.replace('%N', String(10000 + Math.floor(random() * 90000)));
      const r = random();
      if (r < 0.25) s += ` ${phrases[Math.floor(random() * phrases.length)]}`;
      if (r > 0.93) {
        // A long message: a paragraph or two, sometimes with line breaks.
        const words = 40 + Math.floor(random() * 140);
        const extra: string[] = [];
        for (let i = 0; i < words; i++) extra.push(LOREM[Math.floor(random() * LOREM.length)]!);
        s += `${random() < 0.5 ? '\n\n' : ' '}${extra.join(' ')}.`;
      }
      return copyText(s);
    });
  return { customer: make(CUSTOMER), agent: make(AGENT), note: make(NOTES) };
}

const FIRST = ['Ana', 'Ben', 'Chloé', 'Dmitri', 'Eva', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemal', 'Lena', 'Mia', 'Noah', 'Olga', 'Priya'];
const LAST = ['Smith', 'Müller', 'García', 'Rossi', 'Kowalski', 'Nguyen', 'Okafor', 'Silva', 'Tanaka', 'Dubois', 'Jensen', 'Novak'];
export const personName = (random: () => number): string =>
  `${FIRST[Math.floor(random() * FIRST.length)]} ${LAST[Math.floor(random() * LAST.length)]}`;
