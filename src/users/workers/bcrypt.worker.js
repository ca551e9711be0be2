'use strict';
// Runs bcrypt off the event loop, in a Piscina worker thread (see PasswordHasher). Plain
// JavaScript so the same file serves the built app and the tests, which run from the sources.
const bcrypt = require('bcryptjs');

module.exports = function bcryptTask(task) {
  return task.op === 'hash'
    ? bcrypt.hashSync(task.password, task.cost)
    : bcrypt.compareSync(task.password, task.hash);
};
