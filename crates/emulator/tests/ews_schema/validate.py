"""Validates captured EWS requests and responses against Microsoft's messages.xsd.

Usage: validate.py SCHEMA_DIR CAPTURE_DIR

Every *.xml file in CAPTURE_DIR must be a SOAP 1.1 envelope; the element inside soap:Body is
validated against SCHEMA_DIR/messages.xsd. SOAP faults (which messages.xsd does not describe)
are checked for shape only: faultcode, faultstring and an EWS ResponseCode in detail.
Exits 1 naming the file and the schema error of the first failure per file, 2 on bad usage or
when there is nothing to validate. Prints a summary on success.
"""

import pathlib
import sys

from lxml import etree

SOAP = "{http://schemas.xmlsoap.org/soap/envelope/}"
ERRORS = "{http://schemas.microsoft.com/exchange/services/2006/errors}"


def check_fault(fault):
    codes = [c.text for c in fault.iter(ERRORS + "ResponseCode")]
    if fault.find("faultcode") is None or fault.find("faultstring") is None or not codes:
        raise ValueError("SOAP fault without faultcode, faultstring or detail/ResponseCode")


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    schema_dir, capture_dir = pathlib.Path(argv[1]), pathlib.Path(argv[2])
    schema = etree.XMLSchema(etree.parse(str(schema_dir / "messages.xsd")))
    files = sorted(capture_dir.glob("*.xml"))
    if not files:
        print(f"no captured files in {capture_dir}", file=sys.stderr)
        return 2
    failures, validated, faults = 0, 0, 0
    for path in files:
        try:
            root = etree.parse(str(path)).getroot()
            if root.tag != SOAP + "Envelope":
                raise ValueError(f"root element is {root.tag}, not a SOAP 1.1 Envelope")
            body = root.find(SOAP + "Body")
            if body is None or len(body) != 1:
                raise ValueError("soap:Body must hold exactly one element")
            child = body[0]
            if child.tag == SOAP + "Fault":
                check_fault(child)
                faults += 1
                continue
            schema.assertValid(child)
            validated += 1
        except (etree.DocumentInvalid, etree.XMLSyntaxError, ValueError) as error:
            failures += 1
            print(f"{path.name}: {error}", file=sys.stderr)
    if failures:
        print(f"{failures} of {len(files)} files failed", file=sys.stderr)
        return 1
    print(f"{validated} bodies valid against messages.xsd, {faults} SOAP faults well-formed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
