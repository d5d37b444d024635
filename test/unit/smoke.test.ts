import t from 'tap';
t.test('ts works', async (t) => { const x: number = 1 + 1; t.equal(x, 2); });
