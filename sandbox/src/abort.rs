//! Closing a connection without sending any response, for the `drop` test
//! control: the browser must see a network error, not an HTTP status.
//!
//! Neither axum nor hyper lets a handler say "send nothing", so the listener
//! hands out connections with a switch. Once it is tripped, the connection's
//! next write fails; hyper then gives up on the connection before a single
//! byte of the response has left its buffer and closes the socket.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A TCP listener whose connections can be aborted from a request handler.
pub struct AbortableListener(TcpListener);

impl AbortableListener {
    pub fn new(listener: TcpListener) -> Self {
        Self(listener)
    }
}

impl Listener for AbortableListener {
    type Io = AbortableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // axum's own accept loop already retries (and backs off on) accept errors.
        let (stream, addr) = Listener::accept(&mut self.0).await;
        let stream = AbortableStream {
            inner: stream,
            aborted: Arc::new(AtomicBool::new(false)),
        };
        (stream, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

pub struct AbortableStream {
    inner: TcpStream,
    aborted: Arc<AtomicBool>,
}

impl AbortableStream {
    fn check(&self) -> io::Result<()> {
        if self.aborted.load(Ordering::Acquire) {
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection dropped by a sandbox test control",
            ))
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for AbortableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Err(e) = self.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for AbortableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Err(e) = self.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if let Err(e) = self.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Err(e) = self.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The switch of the connection a request came in on; axum puts it in every
/// request's extensions as `ConnectInfo<AbortHandle>`.
#[derive(Clone)]
pub struct AbortHandle(Arc<AtomicBool>);

impl AbortHandle {
    /// The connection sends nothing more: not the response being produced, not
    /// any later one.
    pub fn abort(&self) {
        self.0.store(true, Ordering::Release);
    }
}

impl Connected<IncomingStream<'_, AbortableListener>> for AbortHandle {
    fn connect_info(stream: IncomingStream<'_, AbortableListener>) -> Self {
        AbortHandle(stream.io().aborted.clone())
    }
}
