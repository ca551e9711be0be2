// Prints one plain closing line ("tests: N passed, N failed, N skipped") that CI can read,
// whatever Jest's own summary looks like.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed`;
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`${line}${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
module.exports = SummaryReporter;
