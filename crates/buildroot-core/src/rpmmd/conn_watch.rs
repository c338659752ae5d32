//! How a download's connection ended, which ureq does not say: it reads a
//! TCP reset (RST) as the end of the stream, then reports a body cut short
//! as "Peer disconnected", the same as a clean close, or takes a body
//! without `Content-Length` that a reset cut as complete. curl, which
//! librepo downloads with, names the reset ("Recv failure: Connection reset
//! by peer", `CURLE_RECV_ERROR`, which librepo retries as any failure that
//! is not fatal: `check_finished_transfer_status`). So each attempt's agent
//! gets a connector ([`Watch`]) that wraps the transport ureq builds (TCP,
//! TLS, a proxy's tunnel) and records the first failed read's
//! [`std::io::ErrorKind`] in a [`ReadFailure`] the attempt keeps, for
//! `http/request.rs` to name the reset and retry it. It records a TLS stream that
//! ended without the server's close_notify too (rustls's `UnexpectedEof`,
//! also taken by ureq as the end): a body without `Content-Length` that
//! ends so may have been cut, and curl (OpenSSL 3) fails it.

use std::io::ErrorKind;
use std::sync::{Arc, Mutex};

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// The kind of the first read error of an attempt's connections, if any.
#[derive(Clone, Debug, Default)]
pub(super) struct ReadFailure(Arc<Mutex<Option<ErrorKind>>>);

impl ReadFailure {
    /// The recorded kind.
    pub(super) fn kind(&self) -> Option<ErrorKind> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the peer reset (or aborted) the connection.
    pub(super) fn was_reset(&self) -> bool {
        matches!(
            self.kind(),
            Some(ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted)
        )
    }

    /// Whether a TLS connection ended without the peer's close_notify:
    /// rustls's `UnexpectedEof` (a plain TCP transport reports an end of
    /// stream as no bytes, never as this error), which ureq takes as the
    /// end of the stream.
    pub(super) fn ended_without_close_notify(&self) -> bool {
        self.kind() == Some(ErrorKind::UnexpectedEof)
    }

    fn record(&self, kind: ErrorKind) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert(kind);
    }
}

/// The connector that wraps every transport into a [`Watched`] one; chained
/// last, after ureq's default ones.
#[derive(Debug)]
pub(super) struct Watch(pub(super) ReadFailure);

impl<In: Transport> Connector<In> for Watch {
    type Out = Watched<In>;

    fn connect(
        &self,
        _: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| Watched {
            inner,
            seen: self.0.clone(),
        }))
    }
}

/// A transport that passes everything through and records the kind of a
/// failed read.
#[derive(Debug)]
pub(super) struct Watched<T> {
    inner: T,
    seen: ReadFailure,
}

impl<T: Transport> Transport for Watched<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let r = self.inner.await_input(timeout);
        if let Err(ureq::Error::Io(e)) = &r {
            self.seen.record(e.kind());
        }
        r
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}
