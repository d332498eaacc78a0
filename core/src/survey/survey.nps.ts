/** Net Promoter Score of answers per score (index 0..10): promoters 9–10, passives 7–8, detractors 0–6. */
export function npsOf(tally: readonly number[]): { responses: number; promoters: number; passives: number; detractors: number; nps: number | null } {
  let responses = 0;
  let promoters = 0;
  let passives = 0;
  let detractors = 0;
  tally.forEach((n, score) => {
    responses += n;
    if (score >= 9) promoters += n;
    else if (score >= 7) passives += n;
    else detractors += n;
  });
  // 100 * (promoters - detractors) / responses, rounded to the nearest integer, halves away from zero, in
  // integers: |d| rounded is floor((200|d| + n) / 2n), exact for any counts below 2^44
  const diff = promoters - detractors;
  const nps = responses === 0 ? null : Math.sign(diff) * Math.floor((200 * Math.abs(diff) + responses) / (2 * responses)) + 0;
  return { responses, promoters, passives, detractors, nps };
}
