#!/bin/sh
# make check: the G-IKEv2 test vectors against implementations written from
# the RFCs (tests/vectors/*_vector.py --check); skipped (77) without
# python3 and its cryptography
dir=${srcdir:-$(dirname "$0")/..}/tests
python3 -c 'import cryptography' 2>/dev/null || {
	echo "python3-cryptography missing, vectors not checked"; exit 77; }
python3 "$dir/vectors/kd_vector.py" --check "$dir/gikev2_payloads_tests.c" ||
	exit 1
python3 "$dir/vectors/gsa_rekey_vector.py" --check "$dir/mike_rekey_tests.c" ||
	exit 1
