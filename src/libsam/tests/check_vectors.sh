#!/bin/sh
# make check: the test vectors against independent implementations
# (check_vectors.py, vectors/*_vector.py --check); skipped (77) without
# python3 and its cryptography
dir=${srcdir:-$(dirname "$0")}
python3 -c 'import cryptography' 2>/dev/null || {
	echo "python3-cryptography missing, vectors not checked"; exit 77; }
python3 "$dir/check_vectors.py" "$dir" || exit 1
python3 "$dir/vectors/ed25519_oo_vector.py" --check || exit 1
python3 "$dir/vectors/hybrid_vector.py" --check "$dir/test_hybrid.c" || exit 1
