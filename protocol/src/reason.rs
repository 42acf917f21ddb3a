//! Why a session ended, in the words the wire uses.

/// Why a page ends a session: the `reason` of its logout request and of its `logged-out` and
/// `expired` audit events (docs/protocol.md 3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Inactivity reached the timeout.
    Idle,
    /// The absolute session lifetime ran out.
    Absolute,
    /// The user (or the page, through the API) asked to log out.
    User,
    /// Another tab of the same session logged out.
    Peer,
    /// The server said the session is over.
    Server,
    /// A new sign-in replaced this page's session: it leaves without touching the new one.
    Replaced,
}

impl Reason {
    /// Every reason, in documentation order.
    pub const ALL: [Reason; 6] =
        [Reason::Idle, Reason::Absolute, Reason::User, Reason::Peer, Reason::Server, Reason::Replaced];

    /// The word on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::Idle => "idle",
            Reason::Absolute => "absolute",
            Reason::User => "user",
            Reason::Peer => "peer",
            Reason::Server => "server",
            Reason::Replaced => "replaced",
        }
    }

    /// The reason a word names, if any.
    pub fn parse(word: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == word)
    }
}

/// Why a server says a session is over: the `reason` of a 401
/// `{"error":"session-ended","reason":…}` answer (docs/protocol.md 3.1) and of a tombstone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ended {
    /// No activity for the idle limit.
    Idle,
    /// The absolute lifetime ran out.
    Absolute,
    /// Logged out (by the page, the user at the portal, or the portal).
    Logout,
    /// No session is known for the cookie.
    Unknown,
    /// The page names another session than the cookie's: a newer sign-in holds the cookie.
    Replaced,
}

impl Ended {
    /// Every reason, in documentation order.
    pub const ALL: [Ended; 5] = [Ended::Idle, Ended::Absolute, Ended::Logout, Ended::Unknown, Ended::Replaced];

    /// The word on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Ended::Idle => "idle",
            Ended::Absolute => "absolute",
            Ended::Logout => "logout",
            Ended::Unknown => "unknown",
            Ended::Replaced => "replaced",
        }
    }

    /// The reason a word names, if any.
    pub fn parse(word: &str) -> Option<Ended> {
        Ended::ALL.into_iter().find(|r| r.as_str() == word)
    }

    /// Whether the session ran out of time (the sign-in page says `?reason=timeout`), rather
    /// than being signed out (`?reason=signed-out`).
    pub const fn timed_out(self) -> bool {
        matches!(self, Ended::Idle | Ended::Absolute)
    }
}
