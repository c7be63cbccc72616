//! Harness tests of the set commands.
