//! Newline-delimited JSON framing over any byte stream (the stdio transport's framing), with
//! length-prefixed binary messages on binary connections.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::{oversize_head, Incoming, IpcSocket, MessageReader, MessageWriter};
use crate::transport::out::BinaryOut;

/// How much is read from the stream at a time.
const READ_CHUNK: usize = 64 * 1024;

/// A binary message longer than this is read into a buffer of its own, allocated once at its
/// announced length, rather than through the read buffer.
const LARGE_MESSAGE: usize = 4 * READ_CHUNK;

/// A message stream framed as one JSON message per line.
pub struct LineSocket<R, W> {
    reader: R,
    writer: W,
}

impl<R, W> LineSocket<R, W> {
    /// Frames `reader` (incoming lines) and `writer` (outgoing lines).
    pub fn new(reader: R, writer: W) -> Self {
        LineSocket { reader, writer }
    }
}

impl<R, W> IpcSocket for LineSocket<R, W>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Reader = LineReader<R>;
    type Writer = LineWriter<W>;

    fn into_split(self) -> (LineReader<R>, LineWriter<W>) {
        (
            LineReader {
                stream: self.reader,
                buf: Vec::new(),
                start: 0,
                scanned: 0,
                skipping: None,
                skipping_binary: None,
                large: None,
                binary: false,
                eof: false,
            },
            LineWriter {
                stream: self.writer,
                buf: Vec::new(),
            },
        )
    }

    fn supports_binary(&self) -> bool {
        true
    }

    fn flush_partway(&self) -> bool {
        true
    }
}

/// Marks a binary message on a binary connection: no JSON line starts with it.
const BINARY_MARK: u8 = 0x00;

/// Reads lines; an oversize line is skipped up to its newline without being buffered.
pub struct LineReader<R> {
    stream: R,
    /// Bytes read; `buf[start..]` is not consumed yet.
    buf: Vec<u8>,
    start: usize,
    /// `buf[start..scanned]` is known to hold no newline.
    scanned: usize,
    /// The head of the oversize line being skipped, if any.
    skipping: Option<String>,
    /// An oversize binary message being skipped: the bytes still to drop, and its JSON's head.
    skipping_binary: Option<(usize, String)>,
    /// A large binary message being read straight into its own buffer: that buffer, and the
    /// message's length.
    large: Option<(Vec<u8>, usize)>,
    /// Binary messages may arrive (the handshake granted them).
    binary: bool,
    eof: bool,
}

impl<R> LineReader<R> {
    /// After a message was taken out: a buffer grown for a large message gives its room back
    /// (the few bytes read past the message move to a small one), so a single large message
    /// does not hold its size for the rest of the connection.
    fn give_back_room(&mut self) {
        let rest = self.buf.len() - self.start;
        if self.buf.capacity() > 4 * READ_CHUNK && rest <= READ_CHUNK {
            let mut small = Vec::with_capacity(READ_CHUNK.max(rest));
            small.extend_from_slice(&self.buf[self.start..]);
            self.buf = small;
            self.scanned -= self.start;
            self.start = 0;
        }
    }

    /// Empties the buffer, giving back the room of one grown for a large message.
    fn clear_buffer(&mut self) {
        if self.buf.capacity() > 4 * READ_CHUNK {
            self.buf = Vec::new();
        } else {
            self.buf.clear();
        }
        self.start = 0;
        self.scanned = 0;
    }

    /// A binary message at the start of the buffer: `Some` once it is complete (or known to
    /// be oversize), `None` when more bytes are needed.
    fn binary_message(&mut self, max_bytes: usize) -> Option<Incoming> {
        let pending = &self.buf[self.start..];
        let header: [u8; 4] = pending.get(1..5)?.try_into().expect("four bytes");
        let length = u32::from_be_bytes(header) as usize;
        if length > max_bytes {
            // Wait for the head of its JSON (to read the id), then drop the rest unbuffered.
            let head_end = 5 + length.min(4 + super::OVERSIZE_HEAD_BYTES);
            if pending.len() < head_end && !self.eof {
                return None;
            }
            let head = oversize_head(
                pending
                    .get(9..head_end.min(pending.len()))
                    .unwrap_or_default(),
            );
            self.start += 5;
            self.skipping_binary = Some((length, head));
            return self.skip_binary();
        }
        if length > LARGE_MESSAGE && pending.len() < 5 + length {
            // Read the rest straight into the message's own buffer: no growing of the read
            // buffer, and no copy out of it afterwards.
            let mut message = Vec::with_capacity(length);
            message.extend_from_slice(&pending[5..]);
            self.clear_buffer();
            self.large = Some((message, length));
            return None;
        }
        let Some(message) = pending.get(5..5 + length) else {
            self.buf.reserve(5 + length - pending.len());
            return None;
        };
        let message = message.to_vec();
        self.start += 5 + length;
        self.scanned = self.start;
        self.give_back_room();
        Some(Incoming::Binary(message))
    }

    /// Reads more of the large binary message under way; `Some` once it is complete, or when
    /// the stream ended inside it.
    async fn read_large(&mut self) -> Option<Incoming>
    where
        R: AsyncRead + Unpin,
    {
        let (message, length) = self.large.as_mut()?;
        let missing = *length - message.len();
        if missing > 0 {
            // `take` keeps the read inside this message: what follows it goes to `buf`.
            match (&mut self.stream)
                .take(missing as u64)
                .read_buf(message)
                .await
            {
                Ok(0) | Err(_) => {
                    self.large = None;
                    self.eof = true;
                    return Some(Incoming::Closed);
                }
                Ok(_) => {}
            }
        }
        let (message, length) = self.large.as_ref()?;
        if message.len() < *length {
            return None;
        }
        self.large
            .take()
            .map(|(message, _)| Incoming::Binary(message))
    }

    /// Drops what is buffered of the oversize binary message being skipped.
    fn skip_binary(&mut self) -> Option<Incoming> {
        let (left, _) = self.skipping_binary.as_mut()?;
        let dropped = (*left).min(self.buf.len() - self.start);
        *left -= dropped;
        self.start += dropped;
        self.scanned = self.start;
        if *left > 0 {
            return None;
        }
        let (_, head) = self.skipping_binary.take()?;
        Some(Incoming::TooLarge { head, fatal: false })
    }
}

impl<R: AsyncRead + Unpin + Send + 'static> MessageReader for LineReader<R> {
    fn accept_binary(&mut self) {
        self.binary = true;
    }

    async fn read(&mut self, max_bytes: usize) -> Incoming {
        loop {
            if self.large.is_some() {
                match self.read_large().await {
                    Some(incoming) => return incoming,
                    None => continue,
                }
            }
            let binary_next = self.skipping_binary.is_some()
                || (self.binary
                    && self.skipping.is_none()
                    && self.scanned == self.start
                    && self.buf.get(self.start) == Some(&BINARY_MARK));
            if binary_next {
                let incoming = if self.skipping_binary.is_some() {
                    self.skip_binary()
                } else {
                    self.binary_message(max_bytes)
                };
                if let Some(incoming) = incoming {
                    return incoming;
                }
                if self.large.is_some() {
                    continue;
                }
                if self.start > 0 {
                    self.buf.drain(..self.start);
                    self.start = 0;
                    self.scanned = 0;
                }
                if self.eof {
                    return Incoming::Closed;
                }
                self.buf.reserve(READ_CHUNK);
                match self.stream.read_buf(&mut self.buf).await {
                    Ok(0) | Err(_) => self.eof = true,
                    Ok(_) => {}
                }
                continue;
            }
            if let Some(offset) = self.buf[self.scanned..].iter().position(|&b| b == b'\n') {
                let end = self.scanned + offset;
                let line_start = self.start;
                self.start = end + 1;
                self.scanned = self.start;
                if let Some(head) = self.skipping.take() {
                    return Incoming::TooLarge { head, fatal: false };
                }
                let mut line = &self.buf[line_start..end];
                if let Some(stripped) = line.strip_suffix(b"\r") {
                    line = stripped;
                }
                // Blank lines, and lines of only JSON whitespace, carry no message.
                if line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
                    continue;
                }
                let incoming = if line.len() > max_bytes {
                    Incoming::TooLarge {
                        head: oversize_head(line),
                        fatal: false,
                    }
                } else {
                    match std::str::from_utf8(line) {
                        Ok(text) => Incoming::Text(text.to_owned()),
                        Err(_) => Incoming::InvalidUtf8 { fatal: false },
                    }
                };
                self.give_back_room();
                return incoming;
            }
            self.scanned = self.buf.len();
            // No newline yet: drop the pending line if it is already too large.
            let pending = self.buf.len() - self.start;
            if self.skipping.is_some() {
                self.clear_buffer();
            } else if pending > max_bytes.saturating_add(1) {
                self.skipping = Some(oversize_head(&self.buf[self.start..]));
                self.clear_buffer();
            } else if self.start > 0 {
                // Compact before reading more so the buffer never holds consumed lines.
                self.buf.drain(..self.start);
                self.scanned -= self.start;
                self.start = 0;
            }
            if self.eof {
                return Incoming::Closed;
            }
            self.buf.reserve(READ_CHUNK);
            match self.stream.read_buf(&mut self.buf).await {
                Ok(0) | Err(_) => self.eof = true,
                Ok(_) => {}
            }
        }
    }
}

/// Writes lines into a buffer sent on flush (one write per batch of messages).
pub struct LineWriter<W> {
    stream: W,
    buf: Vec<u8>,
}

/// Above this, a flushed write buffer is released instead of kept for reuse.
const KEEP_WRITE_BUFFER: usize = 1024 * 1024;

impl<W: AsyncWrite + Unpin + Send + 'static> LineWriter<W> {
    /// Appends `bytes` to the batch; a large part goes out directly, after what is batched,
    /// rather than being copied into the buffer.
    async fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        if bytes.len() < KEEP_WRITE_BUFFER {
            self.buf.extend_from_slice(bytes);
            return Ok(());
        }
        self.stream.write_all(&self.buf).await?;
        self.buf.clear();
        self.stream.write_all(bytes).await
    }
}

impl<W: AsyncWrite + Unpin + Send + 'static> MessageWriter for LineWriter<W> {
    async fn write(&mut self, text: String) -> io::Result<()> {
        if self.buf.is_empty() && text.len() >= KEEP_WRITE_BUFFER {
            // A large message goes out directly rather than being copied into the buffer.
            self.stream.write_all(text.as_bytes()).await?;
            return self.stream.write_all(b"\n").await;
        }
        self.buf.extend_from_slice(text.as_bytes());
        self.buf.push(b'\n');
        Ok(())
    }

    async fn write_binary(&mut self, message: Vec<u8>) -> io::Result<()> {
        self.write_binary_parts(message.into()).await
    }

    async fn write_binary_parts(&mut self, message: BinaryOut) -> io::Result<()> {
        let mut header = [BINARY_MARK; 5];
        header[1..].copy_from_slice(&(message.len() as u32).to_be_bytes());
        self.buf.extend_from_slice(&header);
        self.put(message.head()).await?;
        for attachment in message.attachments() {
            self.buf
                .extend_from_slice(&(attachment.len() as u32).to_be_bytes());
            self.put(attachment).await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.stream.write_all(&self.buf).await?;
            self.buf.clear();
            if self.buf.capacity() > KEEP_WRITE_BUFFER {
                self.buf = Vec::new();
            }
        }
        self.stream.flush().await
    }

    async fn close(&mut self) -> io::Result<()> {
        self.flush().await?;
        self.stream.shutdown().await
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    /// An oversize line is skipped without being buffered: memory stays near the chunk size.
    #[tokio::test]
    async fn oversize_lines_are_skipped_without_buffering() {
        let (mut near, far) = tokio::io::duplex(64 * 1024);
        let (mut reader, _writer) = LineSocket::new(far, tokio::io::sink()).into_split();
        let writing = tokio::spawn(async move {
            near.write_all(br#"{"type":"call","id":7,"args":[""#)
                .await
                .unwrap();
            let chunk = vec![b'x'; 64 * 1024];
            for _ in 0..64 {
                near.write_all(&chunk).await.unwrap();
            }
            near.write_all(b"\"]}\r\n\n{\"ok\":1}\n").await.unwrap();
        });
        match reader.read(1000).await {
            Incoming::TooLarge { head, fatal } => {
                assert!(!fatal);
                assert!(head.starts_with(r#"{"type":"call","id":7"#), "{head}");
                assert!(head.len() <= crate::transport::OVERSIZE_HEAD_BYTES);
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
        assert!(
            reader.buf.capacity() <= 4 * READ_CHUNK,
            "buffered {} bytes for a 4 MiB line",
            reader.buf.capacity()
        );
        match reader.read(1000).await {
            Incoming::Text(text) => assert_eq!(text, r#"{"ok":1}"#),
            other => panic!("expected the next line, got {other:?}"),
        }
        writing.await.unwrap();
        assert!(matches!(reader.read(1000).await, Incoming::Closed));
    }

    /// A line that grows the buffer (oversize up to the limit, or large and valid) does not
    /// leave the buffer at that size afterwards.
    #[tokio::test]
    async fn a_large_line_gives_its_room_back() {
        const LIMIT: usize = 1 << 20;
        let (mut near, far) = tokio::io::duplex(64 * 1024);
        let (mut reader, _writer) = LineSocket::new(far, tokio::io::sink()).into_split();
        let writing = tokio::spawn(async move {
            // Oversize: found out only once the limit is passed, after buffering up to it.
            near.write_all(&vec![b' '; 4 * LIMIT]).await.unwrap();
            near.write_all(b"1\n").await.unwrap();
            // Large and valid: buffered whole.
            let mut valid = vec![b' '; LIMIT - 16];
            valid.extend_from_slice(b"\"ok\"\n");
            near.write_all(&valid).await.unwrap();
            near.write_all(b"{}\n").await.unwrap();
        });
        assert!(matches!(
            reader.read(LIMIT).await,
            Incoming::TooLarge { fatal: false, .. }
        ));
        assert!(
            reader.buf.capacity() <= 4 * READ_CHUNK,
            "{}",
            reader.buf.capacity()
        );
        match reader.read(LIMIT).await {
            Incoming::Text(text) => assert!(text.ends_with(r#""ok""#)),
            other => panic!("expected the large line, got {other:?}"),
        }
        assert!(
            reader.buf.capacity() <= 4 * READ_CHUNK,
            "{}",
            reader.buf.capacity()
        );
        assert!(matches!(reader.read(LIMIT).await, Incoming::Text(text) if text == "{}"));
        writing.await.unwrap();
    }

    /// A large binary message is read into one buffer of exactly its length (not through the
    /// read buffer), split across reads and followed by other messages in the same reads.
    #[tokio::test]
    async fn a_large_binary_message_gets_its_own_buffer() {
        let large: Vec<u8> = (0..3 * LARGE_MESSAGE + 7).map(|i| (i * 7) as u8).collect();
        let small = b"tail".to_vec();
        let mut wire = Vec::new();
        for message in [&small, &large, &small] {
            wire.push(BINARY_MARK);
            wire.extend_from_slice(&(message.len() as u32).to_be_bytes());
            wire.extend_from_slice(message);
        }
        wire.extend_from_slice(b"{}\n");
        let (mut near, far) = tokio::io::duplex(1000);
        let (mut reader, _writer) = LineSocket::new(far, tokio::io::sink()).into_split();
        reader.accept_binary();
        let writing = tokio::spawn(async move {
            // Odd-sized writes, so headers and message ends fall inside reads.
            for chunk in wire.chunks(12_345) {
                near.write_all(chunk).await.unwrap();
            }
            near.write_all(&[BINARY_MARK, 0, 0x10, 0, 0, 1, 2])
                .await
                .unwrap();
        });
        let mut read = Vec::new();
        for _ in 0..3 {
            match reader.read(usize::MAX).await {
                Incoming::Binary(message) => read.push(message),
                other => panic!("expected a binary message, got {other:?}"),
            }
        }
        assert_eq!(read, [small.clone(), large.clone(), small]);
        assert_eq!(
            read[1].capacity(),
            large.len(),
            "allocated once, at its length"
        );
        assert!(matches!(reader.read(usize::MAX).await, Incoming::Text(text) if text == "{}"));
        writing.await.unwrap();
        // A large message cut short by the end of the stream closes the connection.
        assert!(matches!(reader.read(usize::MAX).await, Incoming::Closed));
        assert!(reader.large.is_none());
    }

    /// Lines of only JSON whitespace are skipped like empty ones; other whitespace is a line.
    #[tokio::test]
    async fn blank_lines_are_skipped() {
        let (mut near, far) = tokio::io::duplex(1024);
        let (mut reader, _writer) = LineSocket::new(far, tokio::io::sink()).into_split();
        near.write_all(b"\n  \t \r\n\r\n{}\n\x0c\n").await.unwrap();
        drop(near);
        assert!(matches!(reader.read(1000).await, Incoming::Text(text) if text == "{}"));
        assert!(matches!(reader.read(1000).await, Incoming::Text(text) if text == "\x0c"));
        assert!(matches!(reader.read(1000).await, Incoming::Closed));
    }
}
