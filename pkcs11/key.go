package pkcs11

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"
)

// Errors that name what went wrong; each error of this package wraps one
// of them or [ErrConfig].
var (
	// ErrNotFound is wrapped by [Open] when no token has the URI's label, or
	// the token holds no key object with its object label or id.
	ErrNotFound = errors.New("pkcs11: not found")
	// ErrLogin is wrapped by [Open] when the token refuses the PIN (wrong or
	// locked).
	ErrLogin = errors.New("pkcs11: login refused")
	// ErrDevice is wrapped by [Open] and by [Key.Sign], [Key.ECDH] and [Key.Protection] when
	// the module or the token refused or failed an operation (the token is
	// gone, the session closed, ...).
	ErrDevice = errors.New("pkcs11: the token refused or failed")
	// ErrKeyType is wrapped by [Open] for a key that is neither RSA, EC on a
	// supported curve nor Ed25519, and by [Key.Sign] and [Key.ECDH] for an
	// operation the key cannot do (a hash, padding or curve not supported).
	ErrKeyType = errors.New("pkcs11: key type not supported")
)

// PKCS#11 3.0 values (the OASIS pkcs11t.h of version 3.0) that
// github.com/miekg/pkcs11 v1.1.2 does not define.
const (
	ckkECEdwards = 0x00000040 // CKK_EC_EDWARDS
	ckmEdDSA     = 0x00001057 // CKM_EDDSA
)

// Key is a private key in a PKCS#11 token. It is a crypto.Signer, and for
// an EC key an ecdh.KeyExchanger. Its methods are safe for concurrent use:
// they share one session, one call at a time.
type Key struct {
	mu      sync.Mutex
	ctx     *pkcs11.Ctx
	session pkcs11.SessionHandle
	obj     pkcs11.ObjectHandle
	pub     crypto.PublicKey // *ecdsa.PublicKey, *rsa.PublicKey or ed25519.PublicKey
	ecdhPub *ecdh.PublicKey  // EC keys only
	name    string           // token/object, for errors
}

// Open finds the private key a pkcs11: URI names, logging in to its token
// with the URI's PIN. The module is initialised once per process and stays
// loaded; Close ends the key's session.
func Open(uri string) (*Key, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	pin, err := u.pin()
	if err != nil {
		return nil, err
	}
	ctx := pkcs11.New(u.ModulePath)
	if ctx == nil {
		return nil, fmt.Errorf("%w: cannot load PKCS#11 module %q", ErrConfig, u.ModulePath)
	}
	if err := ctx.Initialize(); err != nil && !isCode(err, pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		return nil, fmt.Errorf("%w: initialising %s: %v", ErrDevice, u.ModulePath, err)
	}
	k := &Key{ctx: ctx, name: u.Token + "/" + u.Object}
	if err := k.open(u, pin); err != nil {
		k.Close()
		return nil, err
	}
	return k, nil
}

func (k *Key) open(u *URI, pin string) error {
	slot, err := findToken(k.ctx, u.Token)
	if err != nil {
		return err
	}
	if k.session, err = k.ctx.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION); err != nil {
		return fmt.Errorf("%w: opening a session on token %q: %v", ErrDevice, u.Token, err)
	}
	if err := k.ctx.Login(k.session, pkcs11.CKU_USER, pin); err != nil && !isCode(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN) {
		return fmt.Errorf("%w: token %q: %v", ErrLogin, u.Token, err)
	}
	if k.obj, err = k.findObject(pkcs11.CKO_PRIVATE_KEY, u); err != nil {
		return err
	}
	return k.readPublic(u)
}

func isCode(err error, code uint) bool {
	var e pkcs11.Error
	return errors.As(err, &e) && uint(e) == code
}

// findToken returns the slot of the token labelled label.
func findToken(ctx *pkcs11.Ctx, label string) (uint, error) {
	slots, err := ctx.GetSlotList(true)
	if err != nil {
		return 0, fmt.Errorf("%w: listing slots: %v", ErrDevice, err)
	}
	for _, s := range slots {
		info, err := ctx.GetTokenInfo(s)
		if err == nil && strings.TrimRight(info.Label, " \x00") == label {
			return s, nil
		}
	}
	return 0, fmt.Errorf("%w: no token labelled %q", ErrNotFound, label)
}

// findObject returns the one object of class with the URI's label and id.
func (k *Key) findObject(class uint, u *URI) (pkcs11.ObjectHandle, error) {
	tmpl := []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, class)}
	if u.Object != "" {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_LABEL, u.Object))
	}
	if u.ID != nil {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_ID, u.ID))
	}
	if err := k.ctx.FindObjectsInit(k.session, tmpl); err != nil {
		return 0, fmt.Errorf("%w: searching token %q: %v", ErrDevice, u.Token, err)
	}
	objs, _, err := k.ctx.FindObjects(k.session, 2)
	_ = k.ctx.FindObjectsFinal(k.session)
	kind := map[uint]string{pkcs11.CKO_PRIVATE_KEY: "private", pkcs11.CKO_PUBLIC_KEY: "public"}[class]
	switch {
	case err != nil:
		return 0, fmt.Errorf("%w: searching token %q: %v", ErrDevice, u.Token, err)
	case len(objs) == 0:
		return 0, fmt.Errorf("%w: no %s key object %q (id %x) in token %q", ErrNotFound, kind, u.Object, u.ID, u.Token)
	case len(objs) > 1:
		return 0, fmt.Errorf("%w: more than one %s key object %q (id %x) in token %q; add id=", ErrConfig, kind, u.Object, u.ID, u.Token)
	}
	return objs[0], nil
}

// EC curve OIDs as CKA_EC_PARAMS holds them (DER).
var curves = []struct {
	oid   asn1.ObjectIdentifier
	curve elliptic.Curve
	ecdh  ecdh.Curve
}{
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}, elliptic.P256(), ecdh.P256()},
	{asn1.ObjectIdentifier{1, 3, 132, 0, 34}, elliptic.P384(), ecdh.P384()},
	{asn1.ObjectIdentifier{1, 3, 132, 0, 35}, elliptic.P521(), ecdh.P521()},
}

// readPublic reads the public key: RSA's from the private key object, an
// EC or Edwards key's point from the matching public key object.
func (k *Key) readPublic(u *URI) error {
	attrs, err := k.ctx.GetAttributeValue(k.session, k.obj, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, nil)})
	if err != nil || len(attrs) != 1 {
		return fmt.Errorf("%w: reading the key type: %v", ErrDevice, err)
	}
	switch bytesToUint(attrs[0].Value) {
	case pkcs11.CKK_RSA:
		return k.readRSA()
	case pkcs11.CKK_EC:
		params, point, err := k.readECPublic(u)
		if err != nil {
			return err
		}
		return k.setEC(params, point)
	case ckkECEdwards:
		params, point, err := k.readECPublic(u)
		if err != nil {
			return err
		}
		k.pub, err = edwardsPublic(params, point)
		return err
	}
	return fmt.Errorf("%w: key %s is neither RSA, EC nor Edwards", ErrKeyType, k.name)
}

func bytesToUint(b []byte) uint {
	var v uint
	for i := len(b) - 1; i >= 0; i-- { // CK_ULONG in host (little-endian) order
		v = v<<8 | uint(b[i])
	}
	return v
}

func (k *Key) readRSA() error {
	attrs, err := k.ctx.GetAttributeValue(k.session, k.obj, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_MODULUS, nil), pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, nil)})
	if err != nil || len(attrs) != 2 {
		return fmt.Errorf("%w: reading the RSA public key: %v", ErrDevice, err)
	}
	e := new(big.Int).SetBytes(attrs[1].Value)
	if !e.IsInt64() || e.Int64() > 1<<31-1 {
		return fmt.Errorf("%w: RSA public exponent", ErrKeyType)
	}
	k.pub = &rsa.PublicKey{N: new(big.Int).SetBytes(attrs[0].Value), E: int(e.Int64())}
	return nil
}

// readECPublic reads CKA_EC_PARAMS and CKA_EC_POINT from the public key
// object that matches the URI (EC and Edwards keys alike).
func (k *Key) readECPublic(u *URI) (params, point []byte, err error) {
	pubObj, err := k.findObject(pkcs11.CKO_PUBLIC_KEY, u)
	if err != nil {
		return nil, nil, err
	}
	attrs, err := k.ctx.GetAttributeValue(k.session, pubObj, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, nil), pkcs11.NewAttribute(pkcs11.CKA_EC_POINT, nil)})
	if err != nil || len(attrs) != 2 {
		return nil, nil, fmt.Errorf("%w: reading the public key of %s: %v", ErrDevice, k.name, err)
	}
	return attrs[0].Value, attrs[1].Value, nil
}

func (k *Key) setEC(params, point []byte) error {
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(params, &oid); err != nil || len(rest) != 0 {
		return fmt.Errorf("%w: EC parameters are not a named curve", ErrKeyType)
	}
	var wrapped []byte // CKA_EC_POINT is a DER OCTET STRING (PKCS#11 2.40)
	if rest, err := asn1.Unmarshal(point, &wrapped); err == nil && len(rest) == 0 {
		point = wrapped
	}
	for _, c := range curves {
		if !c.oid.Equal(oid) {
			continue
		}
		pub, err := c.ecdh.NewPublicKey(point)
		if err != nil {
			return fmt.Errorf("%w: EC point: %v", ErrKeyType, err)
		}
		epub, err := ecdsa.ParseUncompressedPublicKey(c.curve, point)
		if err != nil {
			return fmt.Errorf("%w: EC point: %v", ErrKeyType, err)
		}
		k.pub, k.ecdhPub = epub, pub
		return nil
	}
	return fmt.Errorf("%w: EC curve %s", ErrKeyType, oid)
}

// Ed25519's CKA_EC_PARAMS: the OID id-Ed25519 (RFC 8410) or, as PKCS#11
// 3.0 also allows, the curve name as a PrintableString.
var (
	oidEd25519      = asn1.ObjectIdentifier{1, 3, 101, 112}
	curveEdwards255 = "edwards25519"
)

// edwardsPublic reads an Edwards key's public half. Ed448 is refused:
// JOSE's EdDSA here is Ed25519 only. CKA_EC_POINT is the DER OCTET STRING
// of the 32-byte key (PKCS#11 3.0), or the raw 32 bytes on some modules;
// anything else is refused.
func edwardsPublic(params, point []byte) (ed25519.PublicKey, error) {
	var oid asn1.ObjectIdentifier
	var name string
	if rest, err := asn1.Unmarshal(params, &oid); err == nil && len(rest) == 0 {
		if !oid.Equal(oidEd25519) {
			return nil, fmt.Errorf("%w: Edwards curve %s; only Ed25519 (%s)", ErrKeyType, oid, oidEd25519)
		}
	} else if rest, err := asn1.UnmarshalWithParams(params, &name, "printable"); err != nil || len(rest) != 0 || name != curveEdwards255 {
		return nil, fmt.Errorf("%w: Edwards parameters are neither the Ed25519 OID nor %q (%d bytes)", ErrKeyType, curveEdwards255, len(params))
	}
	if len(point) == ed25519.PublicKeySize {
		return ed25519.PublicKey(bytes.Clone(point)), nil
	}
	var wrapped []byte
	if rest, err := asn1.Unmarshal(point, &wrapped); err != nil || len(rest) != 0 || len(wrapped) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: Ed25519 CKA_EC_POINT of %d bytes: want the 32-byte key, raw or as a DER OCTET STRING", ErrKeyType, len(point))
	}
	return ed25519.PublicKey(wrapped), nil
}

// Public implements crypto.Signer.
func (k *Key) Public() crypto.PublicKey { return k.pub }

// Sign implements crypto.Signer: ECDSA signatures come back in ASN.1, as
// crypto.Signer requires; RSA is PKCS #1 v1.5, or PSS for *rsa.PSSOptions;
// an Ed25519 key signs the message itself (opts.HashFunc() zero: pure
// Ed25519, as ed25519.PrivateKey.Sign takes it).
func (k *Key) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts == nil {
		return nil, fmt.Errorf("%w: nil crypto.SignerOpts", ErrKeyType)
	}
	mech, data, err := k.mechanism(digest, opts)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.ctx.SignInit(k.session, []*pkcs11.Mechanism{mech}, k.obj); err != nil {
		return nil, fmt.Errorf("%w: signing with %s: %v", ErrDevice, k.name, err)
	}
	sig, err := k.ctx.Sign(k.session, data)
	if err != nil {
		return nil, fmt.Errorf("%w: signing with %s: %v", ErrDevice, k.name, err)
	}
	switch k.pub.(type) {
	case *ecdsa.PublicKey:
		return rawToASN1(sig)
	case ed25519.PublicKey:
		if len(sig) != ed25519.SignatureSize {
			return nil, fmt.Errorf("%w: Ed25519 signature of %d bytes from %s", ErrDevice, len(sig), k.name)
		}
	}
	return sig, nil
}

// DigestInfo prefixes for PKCS #1 v1.5 (RFC 8017 section 9.2, note 1).
var digestInfo = map[crypto.Hash][]byte{
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
}

var pssHash = map[crypto.Hash][2]uint{
	crypto.SHA256: {pkcs11.CKM_SHA256, pkcs11.CKG_MGF1_SHA256},
	crypto.SHA384: {pkcs11.CKM_SHA384, pkcs11.CKG_MGF1_SHA384},
}

// mechanism picks the PKCS#11 mechanism and the data it signs.
func (k *Key) mechanism(digest []byte, opts crypto.SignerOpts) (*pkcs11.Mechanism, []byte, error) {
	if _, ok := k.pub.(ed25519.PublicKey); ok {
		return eddsaMechanism(digest, opts)
	}
	h := opts.HashFunc()
	if h == 0 || len(digest) != h.Size() {
		return nil, nil, fmt.Errorf("%w: sign a SHA-256 or SHA-384 digest", ErrKeyType)
	}
	if _, ok := k.pub.(*ecdsa.PublicKey); ok {
		return pkcs11.NewMechanism(pkcs11.CKM_ECDSA, nil), digest, nil
	}
	if pss, ok := opts.(*rsa.PSSOptions); ok {
		p, ok := pssHash[h]
		if !ok || (pss.SaltLength != rsa.PSSSaltLengthEqualsHash && pss.SaltLength != h.Size()) {
			return nil, nil, fmt.Errorf("%w: PSS with %v and salt length %d", ErrKeyType, h, pss.SaltLength)
		}
		return pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_PSS, pkcs11.NewPSSParams(p[0], p[1], uint(h.Size()))), digest, nil
	}
	prefix, ok := digestInfo[h]
	if !ok {
		return nil, nil, fmt.Errorf("%w: RSA PKCS #1 v1.5 with %v", ErrKeyType, h)
	}
	return pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS, nil), append(append([]byte(nil), prefix...), digest...), nil
}

// eddsaMechanism is pure Ed25519 (CKM_EDDSA without parameters) over the
// message; Ed25519ph and Ed25519ctx are refused, not silently signed as
// pure Ed25519.
func eddsaMechanism(msg []byte, opts crypto.SignerOpts) (*pkcs11.Mechanism, []byte, error) {
	if o, ok := opts.(*ed25519.Options); ok && (o == nil || o.Context != "") {
		return nil, nil, fmt.Errorf("%w: Ed25519ctx or nil *ed25519.Options; sign pure Ed25519", ErrKeyType)
	}
	if h := opts.HashFunc(); h != 0 {
		return nil, nil, fmt.Errorf("%w: Ed25519 with %v (Ed25519ph); sign the message itself with crypto.Hash(0)", ErrKeyType, h)
	}
	return pkcs11.NewMechanism(ckmEdDSA, nil), msg, nil
}

// rawToASN1 turns CKM_ECDSA's r || s into the ASN.1 crypto.Signer returns.
func rawToASN1(sig []byte) ([]byte, error) {
	if len(sig) == 0 || len(sig)%2 != 0 {
		return nil, fmt.Errorf("%w: ECDSA signature of %d bytes", ErrDevice, len(sig))
	}
	n := len(sig) / 2
	return asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])})
}

// PublicKey implements ecdh.KeyExchanger; nil for an RSA key.
func (k *Key) PublicKey() *ecdh.PublicKey { return k.ecdhPub }

// Curve implements ecdh.KeyExchanger; nil for an RSA key.
func (k *Key) Curve() ecdh.Curve {
	if k.ecdhPub == nil {
		return nil
	}
	return k.ecdhPub.Curve()
}

// KeyExchanger returns the key as an ecdh.KeyExchanger, or an error for a
// key that is not EC.
func (k *Key) KeyExchanger() (ecdh.KeyExchanger, error) {
	if k.ecdhPub == nil {
		return nil, fmt.Errorf("%w: %s is not an EC (P-256/384/521) key", ErrKeyType, k.name)
	}
	return k, nil
}

// ECDH implements ecdh.KeyExchanger with CKM_ECDH1_DERIVE (no KDF): the
// token derives the shared secret into a session object that may be read,
// which is read and destroyed; the private key itself never leaves.
func (k *Key) ECDH(peer *ecdh.PublicKey) ([]byte, error) {
	if k.ecdhPub == nil || peer == nil || peer.Curve() != k.ecdhPub.Curve() {
		return nil, fmt.Errorf("%w: ECDH with a key of another curve", ErrKeyType)
	}
	size := (len(k.ecdhPub.Bytes()) - 1) / 2
	params := pkcs11.NewECDH1DeriveParams(pkcs11.CKD_NULL, nil, peer.Bytes())
	tmpl := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_SECRET_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_GENERIC_SECRET),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, false),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, false),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, true),
		pkcs11.NewAttribute(pkcs11.CKA_VALUE_LEN, size),
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	obj, err := k.ctx.DeriveKey(k.session, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_ECDH1_DERIVE, params)}, k.obj, tmpl)
	if err != nil {
		return nil, fmt.Errorf("%w: ECDH with %s: %v", ErrDevice, k.name, err)
	}
	defer k.ctx.DestroyObject(k.session, obj)
	attrs, err := k.ctx.GetAttributeValue(k.session, obj, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_VALUE, nil)})
	if err != nil || len(attrs) != 1 || len(attrs[0].Value) != size {
		return nil, fmt.Errorf("%w: reading the ECDH secret from %s: %v", ErrDevice, k.name, err)
	}
	return attrs[0].Value, nil
}

// Protection reports the key's CKA_SENSITIVE and CKA_EXTRACTABLE: a key
// that never leaves the token is sensitive and not extractable.
func (k *Key) Protection() (sensitive, extractable bool, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	attrs, err := k.ctx.GetAttributeValue(k.session, k.obj, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, nil), pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, nil)})
	if err != nil || len(attrs) != 2 || len(attrs[0].Value) != 1 || len(attrs[1].Value) != 1 {
		return false, false, fmt.Errorf("%w: reading the key's attributes: %v", ErrDevice, err)
	}
	return attrs[0].Value[0] != 0, attrs[1].Value[0] != 0, nil
}

// Close ends the key's session. The key cannot be used afterwards.
func (k *Key) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.session == 0 {
		return nil
	}
	err := k.ctx.CloseSession(k.session)
	k.session = 0
	return err
}
