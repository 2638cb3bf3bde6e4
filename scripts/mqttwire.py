"""The few bytes of MQTT 3.1.1 the benchmark and fault scripts write by hand."""
import struct


def encode_len(n):
    """MQTT's variable-length remaining-length field."""
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def utf8(s):
    """A length-prefixed UTF-8 string."""
    b = s.encode()
    return struct.pack("!H", len(b)) + b
