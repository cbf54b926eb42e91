//! ipcc-runtime: everything that works unchanged in browsers and Node (transports live in `./node`, `./browser`).

export { IpcApp } from "./binding/app.js";
export { encodeArgs } from "./protocol/args.js";
export { addNotificationListener, callMethod, createClient, streamMethod, withOptions } from "./session/client.js";
export { c, CodecError, decodeValue, encodeValue, type Codec, type CodecType, type StructFields, type UnionVariants, type WireValue } from "./protocol/codecs.js";
export { IpcConnection, type ConnectionOptions, type IpcListener, type RawCallOptions, type RawStreamOptions } from "./session/connection.js";
export { type StreamSource } from "./protocol/stream.js";
export { lookupOwn, usesStreams, type InterfaceDescriptor, type MethodDescriptor, type NotificationDescriptor, type NotificationsDescriptor } from "./protocol/descriptors.js";
export { DeclaredError, IpcError, IpcErrorCodes, isDeclaredError, isIpcError, isIpcErrorCode, type IpcErrorCode, type KnownIpcErrorCode } from "./protocol/errors.js";
export { IpcHandler, IpcHost, notificationSender, register, type CallContext, type HostOptions } from "./session/host.js";
export { decodeBase64, encodeBase64 } from "./protocol/base64.js";
export {
  BINARY_FEATURE,
  DEFAULT_HELLO_TIMEOUT,
  DEFAULT_MAX_CREDIT,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_QUEUED_BYTES,
  DEFAULT_MAX_QUEUED_BYTES_TOTAL,
  DEFAULT_MAX_STREAMS,
  DEFAULT_STREAM_WINDOW,
  HELLO_MAX_BYTES,
  parseMessage,
  PROTOCOL_STREAMS,
  PROTOCOL_VERSION,
  STREAMS_FEATURE,
  type Message,
} from "./protocol/messages.js";
export { connectMessagePort, MessagePortBackend, type MessagePortLike, type MessagePortOptions, type MessagePortSocket } from "./transport/message-port.js";
export { DEFAULT_RELAY_HIGH_WATER_BYTES, relayMessagePort, type MessagePortRelay, type MessagePortRelayOptions } from "./binding/message-port-relay.js";
export { createMemorySocketPair, MemoryBackend, SocketEvents, type IpcSocket, type IpcSocketBackend, type IpcSocketFrontend, type SocketMessage } from "./transport/socket.js";
export type { AsyncFunction, AsyncMethodsOf, CallOptions, ChannelSpec, ConnectionId, MethodParameters, PromiseReturnType, StreamItemType, StreamMethodsOf } from "./protocol/types.js";
export {
  channelToJson,
  DEFAULT_BUDGET,
  describe as describeFinding,
  embeddedSchema,
  judge,
  parseChannelSchema,
  readChannelSchema,
  SCHEMA_FORMAT,
  TooComplex,
  type ChannelKind,
  type ChannelSchema,
  type Finding,
  type FindingKind,
  type Judgement,
  type MemberVerdict,
  type EmbeddedRead,
  type SchemaRead,
  type SchemaSet,
  type WireType,
} from "./protocol/wire-compat.js";
