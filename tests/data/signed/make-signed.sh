#!/bin/sh
# Regenerates the signature fixtures with fresh throwaway keys (no private
# key is kept): ECDSA P-256 and RSA-2048 keys tlsward accepts, a P-384 and
# an RSA-1024 key it refuses, policies signed with `openssl dgst -sha256
# -sign` exactly as an administrator signs one, and broken variants.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ec.pem"
openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/other.pem"
openssl ecparam -name secp384r1 -genkey -noout -out "$tmp/p384.pem"
openssl genrsa -out "$tmp/rsa.pem" 2048 2>/dev/null
openssl genrsa -out "$tmp/rsa1024.pem" 1024 2>/dev/null
for k in ec other p384 rsa rsa1024; do
  openssl pkey -in "$tmp/$k.pem" -pubout -out "$k.pub"
done
sign() { openssl dgst -sha256 -sign "$tmp/$1.pem" -out "$3" "$2"; }

cat > ec-signed.yaml <<'Y'
# A policy signed with ec.pem (ECDSA P-256).
version: 1
serial: 7
mode: enforce
Y
sign ec ec-signed.yaml ec-signed.yaml.sig
cat > rsa-signed.yaml <<'Y'
# A policy signed with rsa.pem (RSA-2048, PKCS#1 v1.5).
version: 1
serial: 7
mode: enforce
Y
sign rsa rsa-signed.yaml rsa-signed.yaml.sig
# The same serial, older text: the replay of another policy's serial.
cat > ec-serial7-other.yaml <<'Y'
# Serial 7 again, with other text.
version: 1
serial: 7
mode: audit
Y
sign ec ec-serial7-other.yaml ec-serial7-other.yaml.sig
cat > ec-serial5.yaml <<'Y'
# An older release: serial 5.
version: 1
serial: 5
Y
sign ec ec-serial5.yaml ec-serial5.yaml.sig
cat > ec-noserial.yaml <<'Y'
# Signed, but without a serial.
version: 1
Y
sign ec ec-noserial.yaml ec-noserial.yaml.sig
# Tampered: signed, then one word changed (mode enforce -> audit).
cp ec-signed.yaml ec-tampered.yaml
sed -i 's/^mode: enforce/mode: audit/' ec-tampered.yaml
cp ec-signed.yaml.sig ec-tampered.yaml.sig
# Signed with another P-256 key than the one installed.
cp ec-signed.yaml ec-otherkey.yaml
sign other ec-otherkey.yaml ec-otherkey.yaml.sig
# Unsigned: no .sig at all.
cp ec-signed.yaml ec-unsigned.yaml
rm -f ec-unsigned.yaml.sig
# A truncated signature and one that is not DER at all.
cp ec-signed.yaml ec-truncated.yaml
head -c 20 ec-signed.yaml.sig > ec-truncated.yaml.sig
cp ec-signed.yaml ec-garbage.yaml
printf 'not a signature\n' > ec-garbage.yaml.sig
# An ECDSA signature offered for the RSA key and the other way round.
cp rsa-signed.yaml rsa-with-ec-sig.yaml
cp ec-signed.yaml.sig rsa-with-ec-sig.yaml.sig
# Signed by keys tlsward refuses.
cp ec-signed.yaml p384-signed.yaml
sign p384 p384-signed.yaml p384-signed.yaml.sig
cp ec-signed.yaml rsa1024-signed.yaml
sign rsa1024 rsa1024-signed.yaml rsa1024-signed.yaml.sig
# A signed policy below the floor of ../floors/floor.yaml (keeps SSL 3.0).
cat > ec-below-floor.yaml <<'Y'
# Correctly signed, but keeps SSL 3.0.
version: 1
serial: 8
winhttp:
  keep: [ssl3]
Y
sign ec ec-below-floor.yaml ec-below-floor.yaml.sig
printf -- '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n' > garbage.pub
echo "fixtures regenerated"
