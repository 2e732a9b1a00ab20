#!/bin/sh
# make check: the test vectors against an independent implementation
# (check_vectors.py); skipped (77) without python3 and its cryptography
python3 -c 'import cryptography' 2>/dev/null || {
	echo "python3-cryptography missing, vectors not checked"; exit 77; }
exec python3 "${srcdir:-$(dirname "$0")}/check_vectors.py" \
	"${srcdir:-$(dirname "$0")}"
