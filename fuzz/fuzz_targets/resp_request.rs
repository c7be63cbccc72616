//! Fuzzes the server's request decoder the way a connection drives it.
//!
//! The first two input bytes pick the limits and the read size; the rest is
//! the client's byte stream, fed in reads of that size into a buffer from
//! which consumed requests are dropped. Checked beyond "no panic":
//! - every `consumed` is non-zero and within the buffer, every argument is
//!   readable;
//! - feeding the stream all at once gives the same commands and error;
//! - each command re-encoded as multibulk parses back to the same arguments.
//!
//! Not covered here: matching redis-server's replies (the unit tests hold
//! golden bytes captured from it).
#![no_main]

use libfuzzer_sys::fuzz_target;
use shoal_resp::frame::encode_command;
use shoal_resp::request::{
    Argv, Parsed, ProtocolError, RequestLimits, RequestParser, INLINE_MAX_SIZE,
};

#[derive(Debug, PartialEq)]
enum Event {
    Command(Vec<Vec<u8>>),
    Skipped,
    Error(ProtocolError),
}

fn feed(stream: &[u8], read_size: usize, limits: &RequestLimits) -> Vec<Event> {
    let mut parser = RequestParser::new();
    let mut argv = Argv::new();
    let mut buf = Vec::new();
    let mut events = Vec::new();
    for read in stream.chunks(read_size.max(1)) {
        buf.extend_from_slice(read);
        while !buf.is_empty() {
            match parser.parse(&buf, limits, &mut argv) {
                Ok(Parsed::Command { consumed }) => {
                    assert!(consumed > 0 && consumed <= buf.len());
                    let args = argv.args(&buf);
                    assert_eq!(args.len(), argv.len());
                    assert!(!args.is_empty());
                    events.push(Event::Command(args.iter().map(<[u8]>::to_vec).collect()));
                    buf.drain(..consumed);
                }
                Ok(Parsed::Skipped { consumed }) => {
                    assert!(consumed > 0 && consumed <= buf.len());
                    events.push(Event::Skipped);
                    buf.drain(..consumed);
                }
                Ok(Parsed::Incomplete { .. }) => break,
                Err(e) => {
                    assert!(e.message().starts_with("Protocol error: "));
                    events.push(Event::Error(e));
                    return events;
                }
            }
        }
    }
    events
}

fuzz_target!(|data: &[u8]| {
    let [mode, read_size, stream @ ..] = data else {
        return;
    };
    let limits = RequestLimits {
        max_bulk_len: match mode & 3 {
            0 => 16,
            1 => 1024,
            _ => RequestLimits::default().max_bulk_len,
        },
        authenticated: mode & 4 == 0,
    };
    let split = feed(stream, usize::from(*read_size), &limits);
    // Past 64 KiB the read sizes decide when a missing terminator becomes
    // an error, exactly as in Redis; below it they must not matter.
    if stream.len() <= INLINE_MAX_SIZE {
        let whole = feed(stream, stream.len(), &limits);
        assert_eq!(split, whole);
    }

    // Inline requests escape the multibulk limits, so the re-encoded form
    // is parsed without them.
    let unlimited = RequestLimits {
        max_bulk_len: u64::MAX,
        authenticated: true,
    };
    for event in &split {
        if let Event::Command(args) = event {
            let mut bytes = Vec::new();
            encode_command(args, &mut bytes);
            let mut parser = RequestParser::new();
            let mut argv = Argv::new();
            let parsed = parser.parse(&bytes, &unlimited, &mut argv);
            assert_eq!(
                parsed,
                Ok(Parsed::Command {
                    consumed: bytes.len()
                })
            );
            assert!(argv.args(&bytes).iter().eq(args.iter().map(Vec::as_slice)));
        }
    }
});
