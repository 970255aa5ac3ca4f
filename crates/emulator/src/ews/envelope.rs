//! SOAP 1.1 envelopes: reading a request (header and the operation element inside `Body`) and
//! writing a response or a fault.
//!
//! Invariant: every response body element declares the `m:` (messages) and `t:` (types)
//! namespaces itself, so it validates on its own against `messages.xsd`; every response carries
//! `ServerVersionInfo` in the SOAP header.

use super::error::EwsError;
use super::xml::{self, Element, Writer};

/// SOAP 1.1 envelope namespace.
pub const SOAP_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// EWS messages namespace (`m:`).
pub const MESSAGES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
/// EWS types namespace (`t:`).
pub const TYPES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
/// EWS errors namespace (fault details).
pub const ERRORS_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/errors";

/// `RequestServerVersion/@Version` values the schema allows.
const VERSIONS: &[&str] = &[
    "Exchange2007",
    "Exchange2007_SP1",
    "Exchange2010",
    "Exchange2010_SP1",
    "Exchange2010_SP2",
    "Exchange2013",
    "Exchange2013_SP1",
    "Exchange2015",
    "Exchange2016",
    "V2015_10_05",
    "V2016_01_06",
    "V2016_04_13",
    "V2016_07_13",
    "V2016_10_10",
    "V2017_01_07",
    "V2017_04_14",
    "V2017_07_11",
    "V2017_10_09",
    "V2018_01_08",
];

/// Whom the request wants to act as (`ExchangeImpersonation/ConnectingSID`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impersonation {
    /// The address or principal name given.
    pub address: String,
}

/// A parsed request.
#[derive(Debug, Clone)]
pub struct Request {
    /// The impersonated user, when given.
    pub impersonation: Option<Impersonation>,
    /// The operation element (`GetFolder`, `FindItem`, …).
    pub operation: Element,
}

/// Reads a SOAP request.
pub fn parse(body: &str) -> Result<Request, EwsError> {
    let root = xml::parse(body).map_err(|e| EwsError::schema(e.to_string()))?;
    if root.name != "Envelope" {
        return Err(EwsError::schema("the root element is not a SOAP Envelope"));
    }
    let header = root.child("Header");
    if let Some(v) = header.and_then(|h| h.child("RequestServerVersion")) {
        let version = v.attr("Version").unwrap_or_default();
        if !VERSIONS.contains(&version) {
            return Err(EwsError::schema(format!(
                "the RequestServerVersion '{version}' is not valid"
            )));
        }
    }
    let impersonation = match header.and_then(|h| h.child("ExchangeImpersonation")) {
        Some(imp) => {
            let sid = imp
                .child("ConnectingSID")
                .ok_or_else(|| EwsError::schema("ExchangeImpersonation needs a ConnectingSID"))?;
            let address = ["PrimarySmtpAddress", "SmtpAddress", "PrincipalName"]
                .iter()
                .find_map(|n| sid.child_text(n))
                .filter(|a| !a.is_empty())
                .ok_or_else(|| {
                    EwsError::schema(
                        "ConnectingSID needs PrimarySmtpAddress, SmtpAddress or PrincipalName",
                    )
                })?;
            Some(Impersonation {
                address: address.to_owned(),
            })
        }
        None => None,
    };
    let body = root
        .child("Body")
        .ok_or_else(|| EwsError::schema("the SOAP Envelope has no Body"))?;
    let operation = body
        .children
        .first()
        .cloned()
        .ok_or_else(|| EwsError::schema("the SOAP Body is empty"))?;
    Ok(Request {
        impersonation,
        operation,
    })
}

fn envelope(body: &str) -> String {
    let mut w = Writer::new();
    w.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    w.open("s:Envelope", &[("xmlns:s", SOAP_NS)]);
    w.open("s:Header", &[]);
    w.empty(
        "h:ServerVersionInfo",
        &[
            ("MajorVersion", "15"),
            ("MinorVersion", "20"),
            ("MajorBuildNumber", "8"),
            ("MinorBuildNumber", "0"),
            ("Version", "V2018_01_08"),
            ("xmlns:h", TYPES_NS),
        ],
    );
    w.close("s:Header");
    w.open("s:Body", &[]);
    w.raw(body);
    w.close("s:Body");
    w.close("s:Envelope");
    w.finish()
}

/// The response envelope for `operation` (e.g. `GetFolder`) with its response messages.
pub fn response(operation: &str, messages: &str) -> String {
    let mut w = Writer::new();
    let name = format!("m:{operation}Response");
    w.open(&name, &[("xmlns:m", MESSAGES_NS), ("xmlns:t", TYPES_NS)]);
    w.open("m:ResponseMessages", &[]);
    w.raw(messages);
    w.close("m:ResponseMessages");
    w.close(&name);
    envelope(&w.finish())
}

/// A SOAP fault carrying an EWS response code.
pub fn fault(code: &str, message: &str) -> String {
    fault_with_xml(code, message, "")
}

/// A SOAP fault with more XML (e.g. `t:MessageXml`) at the end of its `detail`.
pub fn fault_with_xml(code: &str, message: &str, detail: &str) -> String {
    let mut w = Writer::new();
    w.open("s:Fault", &[]);
    w.text_with("faultcode", &[("xmlns:a", TYPES_NS)], &format!("a:{code}"));
    w.text_with("faultstring", &[("xml:lang", "en-US")], message);
    w.open("detail", &[]);
    w.text_with("e:ResponseCode", &[("xmlns:e", ERRORS_NS)], code);
    w.text_with("e:Message", &[("xmlns:e", ERRORS_NS)], message);
    w.raw(detail);
    w.close("detail");
    w.close("s:Fault");
    envelope(&w.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUEST: &str = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
        xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
      <soap:Header><t:RequestServerVersion Version="Exchange2016"/>
        <t:ExchangeImpersonation><t:ConnectingSID>
          <t:PrimarySmtpAddress>a@b.example</t:PrimarySmtpAddress>
        </t:ConnectingSID></t:ExchangeImpersonation></soap:Header>
      <soap:Body><GetFolder/></soap:Body></soap:Envelope>"#;

    #[test]
    fn reads_version_impersonation_and_operation() {
        let request = parse(REQUEST).expect("valid");
        assert_eq!(
            request.impersonation.map(|i| i.address).as_deref(),
            Some("a@b.example")
        );
        assert_eq!(request.operation.name, "GetFolder");
        let bad = REQUEST.replace("Exchange2016", "Exchange1999");
        assert!(matches!(
            parse(&bad),
            Err(EwsError::Fault {
                code: "ErrorSchemaValidation",
                ..
            })
        ));
    }

    #[test]
    fn faults_name_the_code() {
        let text = fault("ErrorSchemaValidation", "x < y");
        assert!(text.contains("<faultcode xmlns:a="));
        assert!(text.contains("a:ErrorSchemaValidation"));
        assert!(text.contains("x &lt; y"));
    }
}
