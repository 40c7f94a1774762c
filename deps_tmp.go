package sealjwt

import (
	_ "github.com/cloudflare/circl/hpke"
	_ "github.com/cloudflare/circl/sign/mldsa/mldsa44"
	_ "github.com/golang-jwt/jwt/v5"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/go-jose/go-jose/v4"
	_ "github.com/lestrrat-go/jwx/v3/jwt"
)
