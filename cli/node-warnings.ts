/**
 * The AWS SDK warns on every run that its releases from 2027 need Node 22. On the Node 20 this
 * project targets that is noise for people reading the CLI's output, so only that warning is
 * dropped; every other warning is still printed (to stderr).
 */
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (!`${warning.name} ${warning.message}`.includes('NodeVersionSupportWarning')) {
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
  }
});
