#!/bin/sh
# Seals 1 GiB with `sealjwt seal --file` to two recipients (HPKE-9 and
# HPKE-3), opens it with each key alone, checks the bytes, and prints each
# command's peak resident memory (GNU time's %M, KiB). Not run in CI: it
# writes about 2 GiB under a temporary directory and takes a minute.
#
#   sh scripts/file-1gib.sh
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/sealjwt" ./cmd/sealjwt
cd "$dir"
./sealjwt keygen --alg HPKE-9 --out service >/dev/null
./sealjwt keygen --alg HPKE-3 --out recovery >/dev/null
./sealjwt keygen --alg EdDSA --out backup >/dev/null
size=$((1 << 30))
head -c "$size" /dev/urandom > data
want=$(sha256sum < data)
/usr/bin/time -f 'seal --file, 2 recipients: %e s, peak RSS %M KiB' \
  ./sealjwt seal --file --to service.pub.jwk --to recovery.pub.jwk --key backup.jwk --iss backup \
  -i data -o data.sealed
ls -l data.sealed | awk '{print "sealed file: " $5 " bytes"}'
./sealjwt inspect data.sealed | grep -E 'kind|kid'
for k in service recovery; do
  /usr/bin/time -o time.txt -f "open --file --key $k.jwk: %e s, peak RSS %M KiB" \
    ./sealjwt open --file --key "$k.jwk" --trust backup=backup.pub.jwk -i data.sealed 2>/dev/null \
    | sha256sum | { read -r got; [ "$got" = "$want" ] && echo "$k: the bytes match" || { echo "$k: MISMATCH"; exit 1; }; }
  cat time.txt
done
