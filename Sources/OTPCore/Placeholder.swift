import OTPCrypto
