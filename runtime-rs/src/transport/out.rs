//! A message ready to send, as transports take it: text, or a binary message in parts.

/// A binary message to send, in parts: a transport that writes a byte stream (stdio) writes
/// them one after the other, without joining them first.
#[derive(Debug, Clone)]
pub struct BinaryOut {
    /// The JSON text's length (u32, big-endian) and the JSON text.
    head: Vec<u8>,
    attachments: Vec<Vec<u8>>,
}

impl From<Vec<u8>> for BinaryOut {
    /// A binary message already in one buffer.
    fn from(message: Vec<u8>) -> BinaryOut {
        BinaryOut {
            head: message,
            attachments: Vec::new(),
        }
    }
}

impl BinaryOut {
    /// A binary message from its head (the JSON text's length and the JSON text) and its
    /// attachments.
    pub(crate) fn from_parts(head: Vec<u8>, attachments: Vec<Vec<u8>>) -> BinaryOut {
        BinaryOut { head, attachments }
    }

    /// The binary message's size (its layout: the head, then each attachment with its length).
    pub fn len(&self) -> usize {
        self.head.len() + self.attachments.iter().map(|a| 4 + a.len()).sum::<usize>()
    }

    /// Whether it is empty (never: the head has at least its length).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What comes first: the JSON text's length and the JSON text.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// The attachments, each to be written after its u32 big-endian length.
    pub fn attachments(&self) -> &[Vec<u8>] {
        &self.attachments
    }

    /// The whole binary message in one buffer (one copy of every part).
    pub fn into_vec(self) -> Vec<u8> {
        let mut message = Vec::with_capacity(self.len());
        message.extend_from_slice(&self.head);
        for attachment in &self.attachments {
            message.extend_from_slice(&(attachment.len() as u32).to_be_bytes());
            message.extend_from_slice(attachment);
        }
        message
    }
}

/// A message ready to send.
#[derive(Debug, Clone)]
pub enum OutMessage {
    /// A text message (JSON).
    Text(String),
    /// A binary message (docs/protocol.md, "Layout").
    Binary(BinaryOut),
}

impl From<String> for OutMessage {
    fn from(text: String) -> OutMessage {
        OutMessage::Text(text)
    }
}

impl OutMessage {
    /// Its size as `maxMessageBytes` counts it.
    pub fn len(&self) -> usize {
        match self {
            OutMessage::Text(text) => text.len(),
            OutMessage::Binary(message) => message.len(),
        }
    }

    /// Whether it is empty (never, for a message).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
