// Every unit test runs at the same instant: views that ask for "today" or
// "this week" see SAMPLE_NOW, not the machine's date, so a test written
// today passes on any other day. Only Date is faked (timers stay real, as
// testing-library's waitFor needs), and the clock keeps moving from there so
// that elapsed-time displays still tick.
import { afterEach, beforeEach, vi } from 'vitest';
import { SAMPLE_NOW } from './sample-report';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  vi.setSystemTime(SAMPLE_NOW);
});

afterEach(() => {
  vi.useRealTimers();
});
