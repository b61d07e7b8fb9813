#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

/// Initialises an HMAC `EVP_MAC_CTX` with a digest name and a key. Builds the `OSSL_PARAM` array on the C stack,
/// so no key string or parameter storage has to outlive a Swift call (imported parameter-name macros dangle).
static inline int COpenSSL_HMAC_init(EVP_MAC_CTX *ctx, const char *digest, const unsigned char *key, size_t keylen) {
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    return EVP_MAC_init(ctx, key, keylen, params);
}

/// `EVP_CTRL_GCM_SET_IVLEN`, `EVP_CTRL_GCM_GET_TAG` and `EVP_CTRL_GCM_SET_TAG`, which Swift imports poorly.
static inline int COpenSSL_GCM_set_iv_length(EVP_CIPHER_CTX *ctx, int length) {
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, length, NULL);
}
static inline int COpenSSL_GCM_get_tag(EVP_CIPHER_CTX *ctx, unsigned char *tag, int length) {
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, length, tag);
}
static inline int COpenSSL_GCM_set_tag(EVP_CIPHER_CTX *ctx, unsigned char *tag, int length) {
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, length, tag);
}

/// HKDF (RFC 5869) extract-and-expand with SHA-256 through `EVP_KDF`; the `OSSL_PARAM` array lives on the C stack
/// for the same reason as above. Returns 1 on success.
static inline int COpenSSL_HKDF_SHA256(const unsigned char *key, size_t keylen, const unsigned char *salt,
                                       size_t saltlen, const unsigned char *info, size_t infolen, unsigned char *out,
                                       size_t outlen) {
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    if (kdf == NULL) return 0;
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (ctx == NULL) return 0;
    static const unsigned char empty = 0;
    OSSL_PARAM params[5];
    int n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)(keylen ? key : &empty), keylen);
    if (saltlen > 0) params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)(infolen ? info : &empty), infolen);
    params[n] = OSSL_PARAM_construct_end();
    int ok = EVP_KDF_derive(ctx, out, outlen, params);
    EVP_KDF_CTX_free(ctx);
    return ok;
}

#endif
