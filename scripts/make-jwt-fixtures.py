#!/usr/bin/env python3
"""Make the JWT fixtures: a JWKS (public key only) embedded in fixtures/istio-jwt-authz.yaml and written
to fixtures/support/jwks.json (for JWKS from a file or a URL), and tokens for tests in
fixtures/support/jwt-tokens.json: valid ones for two subjects, one signed by another key (forged), one
expired, one from another issuer, one for another audience, one not valid before 2100. The private keys
are generated here and thrown away; all else is deterministic.

Needs the `cryptography` package. Usage: python3 scripts/make-jwt-fixtures.py
"""
import base64
import json
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ISSUER = "https://issuer.example.com"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def intb(n):
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


def token(key, kid, claims):
    header = b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": kid}, separators=(",", ":")).encode())
    payload = b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{b64(signature)}"


def main():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pub = key.public_key().public_numbers()
    jwks = {"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "isvc-test",
                      "n": b64(intb(pub.n)), "e": b64(intb(pub.e))}]}
    far = 4102444800  # 2100-01-01
    claims = lambda sub, exp=far, **more: {"iss": ISSUER, "sub": sub, "aud": "models", "iat": 1700000000, "exp": exp, **more}
    os.makedirs(os.path.join(ROOT, "fixtures", "support"), exist_ok=True)
    tokens = {
        "alice": token(key, "isvc-test", claims("alice")),
        "mallory": token(key, "isvc-test", claims("mallory")),
        "forged": token(other, "isvc-test", claims("alice")),
        "expired": token(key, "isvc-test", claims("alice", exp=1700000100)),
        "wrong-issuer": token(key, "isvc-test", claims("alice", iss="https://other.example.com")),
        "wrong-audience": token(key, "isvc-test", claims("alice", aud="billing")),
        "not-yet-valid": token(key, "isvc-test", claims("alice", exp=far + 3600, nbf=far)),
    }
    with open(os.path.join(ROOT, "fixtures", "support", "jwks.json"), "w") as f:
        json.dump(jwks, f, indent=2)
        f.write("\n")
    with open(os.path.join(ROOT, "fixtures", "support", "jwt-tokens.json"), "w") as f:
        json.dump(tokens, f, indent=2)
        f.write("\n")
    fixture = f"""# A RequestAuthentication and an AuthorizationPolicy on the ingress gateway: predictions need a token
# from issuer.example.com for subject alice; a bad token is rejected (401), a missing one denied (403).
# Made by scripts/make-jwt-fixtures.py (the JWKS holds a public key only).
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: sklearn-iris
spec:
  predictor:
    model:
      modelFormat:
        name: sklearn
      storageUri: gs://kfserving-examples/models/sklearn/1.0/model
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata:
  name: gateway-jwt
  namespace: istio-system
spec:
  selector:
    matchLabels:
      istio: ingressgateway
  jwtRules:
    - issuer: {ISSUER}
      audiences: [models]
      # KServe's top-level route hops through the local gateway, served by the same pods: keep the
      # token on the request so the second hop can check it too.
      forwardOriginalToken: true
      jwks: '{json.dumps(jwks, separators=(",", ":"))}'
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: predict-needs-alice
  namespace: istio-system
spec:
  selector:
    matchLabels:
      istio: ingressgateway
  action: ALLOW
  rules:
    - from:
        - source:
            requestPrincipals: ["{ISSUER}/alice"]
      to:
        - operation:
            paths: ["/v1/models/*", "/v2/models/*"]
            methods: [GET, POST]
"""
    with open(os.path.join(ROOT, "fixtures", "istio-jwt-authz.yaml"), "w") as f:
        f.write(fixture)


if __name__ == "__main__":
    main()
