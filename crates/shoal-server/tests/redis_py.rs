//! redis-py (the most used Python client) against shoal-server, RESP2 and
//! RESP3. The checks live in tests/py/redis_py_suite.py.

mod common;

use common::{run, start_shoal};

#[test]
fn redis_py_suite_passes_on_resp2_and_resp3() {
    let s = start_shoal(&[]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/py/redis_py_suite.py");
    let (ok, out) = run("python3", &[script, &s.port.to_string()], None);
    assert!(
        ok,
        "redis-py suite failed:\n{out}\n--- server log ---\n{}",
        s.log()
    );
    assert!(out.contains("redis-py suite passed"), "{out}");
}
