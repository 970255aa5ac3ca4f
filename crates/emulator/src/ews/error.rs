//! EWS errors, in the two shapes Exchange answers them: a whole-request failure (HTTP 401, or a
//! SOAP fault with HTTP 500 and the response code in `detail`) and a per-message failure
//! (`ResponseClass="Error"` with a `ResponseCode` inside a normal response).
//!
//! Invariant: no message text ever contains a credential; messages are fixed wording plus at
//! most an item id, a mailbox address or an element name from the request.

/// A failure of the whole request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EwsError {
    /// No or wrong credentials: HTTP 401 without a SOAP body, as IIS answers.
    #[error("401 Unauthorized")]
    Unauthorized,
    /// A SOAP fault (HTTP 500) with an EWS response code.
    #[error("{code}: {message}")]
    Fault {
        /// `ErrorSchemaValidation`, `ErrorNonExistentMailbox`, …
        code: &'static str,
        /// `faultstring` and `detail/Message`.
        message: String,
    },
}

impl EwsError {
    /// `ErrorSchemaValidation` with the reason.
    pub fn schema(reason: impl Into<String>) -> Self {
        EwsError::Fault {
            code: "ErrorSchemaValidation",
            message: format!("The request failed schema validation: {}", reason.into()),
        }
    }

    /// `ErrorNonExistentMailbox` for an address.
    pub fn no_mailbox(address: &str) -> Self {
        EwsError::Fault {
            code: "ErrorNonExistentMailbox",
            message: format!("The SMTP address has no mailbox associated with it: {address}"),
        }
    }

    /// `ErrorImpersonateUserDenied`.
    pub fn impersonation_denied() -> Self {
        EwsError::Fault {
            code: "ErrorImpersonateUserDenied",
            message: "The account does not have permission to impersonate the requested user."
                .to_owned(),
        }
    }
}

/// A failure of one response message (one item, one folder).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ItemError {
    /// The `ResponseCode`.
    pub code: &'static str,
    /// The `MessageText`.
    pub message: String,
}

impl ItemError {
    /// An error with code and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// `ErrorItemNotFound`.
    pub fn not_found() -> Self {
        Self::new(
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        )
    }

    /// `ErrorInvalidIdMalformed`.
    pub fn malformed_id() -> Self {
        Self::new("ErrorInvalidIdMalformed", "Id is malformed.")
    }

    /// `ErrorIrresolvableConflict`.
    pub fn conflict() -> Self {
        Self::new(
            "ErrorIrresolvableConflict",
            "The send or update operation could not be performed because the change key passed \
             in the request does not match the current change key for the item.",
        )
    }

    /// `ErrorInvalidPropertyRequest` and friends for values the emulator cannot read.
    pub fn invalid_value(what: &str) -> Self {
        Self::new(
            "ErrorInvalidPropertySet",
            format!("The value of {what} is not valid."),
        )
    }

    /// `ErrorFolderNotFound`.
    pub fn folder_not_found() -> Self {
        Self::new(
            "ErrorFolderNotFound",
            "The specified folder could not be found in the store.",
        )
    }
}
