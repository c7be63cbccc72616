//! Harness tests of the sorted set commands.
