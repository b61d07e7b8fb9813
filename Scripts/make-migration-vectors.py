#!/usr/bin/env python3
"""Writes Tests/Fixtures/migration/protobuf-vectors.json: Google Authenticator MigrationPayload messages encoded by
Python's `protobuf` package (pip install protobuf), from the published schema, with the fields they hold, so the
Swift codec is tested against an independent implementation.

The schema is Google Authenticator's migration.proto as published (e.g. in the extract_otp_secrets and
otpauth projects):

    message MigrationPayload {
      enum Algorithm { ALGORITHM_UNSPECIFIED = 0; SHA1 = 1; SHA256 = 2; SHA512 = 3; MD5 = 4; }
      enum DigitCount { DIGIT_COUNT_UNSPECIFIED = 0; SIX = 1; EIGHT = 2; }
      enum OtpType { OTP_TYPE_UNSPECIFIED = 0; HOTP = 1; TOTP = 2; }
      message OtpParameters { bytes secret = 1; string name = 2; string issuer = 3; Algorithm algorithm = 4;
                              DigitCount digits = 5; OtpType type = 6; int64 counter = 7; }
      repeated OtpParameters otp_parameters = 1; int32 version = 2; int32 batch_size = 3; int32 batch_index = 4;
      int32 batch_id = 5;
    }

No protoc is needed: the descriptor is built in code. Deterministic (seeded); run it again to get the same file.
"""
import base64, json, os, random
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
import google.protobuf

F = descriptor_pb2.FieldDescriptorProto


def build():
    file = descriptor_pb2.FileDescriptorProto(name="migration.proto", package="googleauth", syntax="proto3")
    payload = file.message_type.add(name="MigrationPayload")
    for name, values in [("Algorithm", ["ALGORITHM_UNSPECIFIED", "SHA1", "SHA256", "SHA512", "MD5"]),
                         ("DigitCount", ["DIGIT_COUNT_UNSPECIFIED", "SIX", "EIGHT"]),
                         ("OtpType", ["OTP_TYPE_UNSPECIFIED", "HOTP", "TOTP"])]:
        enum = payload.enum_type.add(name=name)
        for number, value in enumerate(values):
            enum.value.add(name=value, number=number)
    params = payload.nested_type.add(name="OtpParameters")
    for number, name, kind, type_name in [
        (1, "secret", F.TYPE_BYTES, None), (2, "name", F.TYPE_STRING, None), (3, "issuer", F.TYPE_STRING, None),
        (4, "algorithm", F.TYPE_ENUM, ".googleauth.MigrationPayload.Algorithm"),
        (5, "digits", F.TYPE_ENUM, ".googleauth.MigrationPayload.DigitCount"),
        (6, "type", F.TYPE_ENUM, ".googleauth.MigrationPayload.OtpType"), (7, "counter", F.TYPE_INT64, None)]:
        field = params.field.add(name=name, number=number, type=kind, label=F.LABEL_OPTIONAL)
        if type_name:
            field.type_name = type_name
    payload.field.add(name="otp_parameters", number=1, type=F.TYPE_MESSAGE, label=F.LABEL_REPEATED,
                      type_name=".googleauth.MigrationPayload.OtpParameters")
    for number, name in [(2, "version"), (3, "batch_size"), (4, "batch_index"), (5, "batch_id")]:
        payload.field.add(name=name, number=number, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("googleauth.MigrationPayload"))


def main():
    Payload = build()
    rng = random.Random(20261129)
    names = ["alice@example.com", "Bücher", "日本語", "a:b:c", "", "x" * 200, "bob+tag@example.org", "🙂"]
    vectors = []
    for index in range(60):
        message = Payload()
        for _ in range(rng.randint(0, 6)):
            p = message.otp_parameters.add()
            p.secret = bytes(rng.randrange(256) for _ in range(rng.choice([0, 10, 16, 20, 32, 64])))
            p.name = rng.choice(names)
            p.issuer = rng.choice(names)
            p.algorithm = rng.randint(0, 4)
            p.digits = rng.randint(0, 2)
            p.type = rng.randint(0, 2)
            p.counter = rng.choice([0, 1, 7, 2**31, 2**62, -1])
        size = rng.randint(1, 5)
        message.version = rng.choice([0, 1])
        message.batch_size = size
        message.batch_index = rng.randrange(size)
        message.batch_id = rng.randint(-2**31, 2**31 - 1)
        data = message.SerializeToString()
        vectors.append({
            "protobuf": data.hex(),
            "base64": base64.b64encode(data).decode(),
            "version": message.version, "batchSize": message.batch_size, "batchIndex": message.batch_index,
            "batchID": message.batch_id,
            "entries": [{
                "secret": p.secret.hex(), "name": p.name, "issuer": p.issuer, "algorithm": p.algorithm,
                "digits": p.digits, "type": p.type, "counter": p.counter} for p in message.otp_parameters],
        })
    out = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "migration", "protobuf-vectors.json")
    with open(out, "w") as f:
        json.dump({"generator": f"Scripts/make-migration-vectors.py with protobuf {google.protobuf.__version__}",
                   "vectors": vectors}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(out, len(vectors))


if __name__ == "__main__":
    main()
