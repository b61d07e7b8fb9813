#!/usr/bin/env bash
# Installs the package `make deb` built into a fresh Debian 12 root (debootstrap, minbase) with apt-get, and runs
# `otp --version` and the demo (import the dark-mode console fixture, print two codes) from it. Needs root.
#   Scripts/deb-check.sh [.build/deb/otp_VERSION_ARCH.deb]
set -euo pipefail
cd "$(dirname "$0")/.."
deb=${1:-$(ls .build/deb/otp_*.deb | head -1)}
command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap; }
root=$(mktemp -d /tmp/otp-deb-root.XXXXXX)
cleanup() { umount "$root/proc" 2>/dev/null || true; rm -rf --one-file-system "$root"; }
trap cleanup EXIT
time debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/otp.deb"
cp Tests/Fixtures/png/console-1080p-dark.png "$root/tmp/"
mount -t proc proc "$root/proc"   # as on any running system (Swift reads its arguments there)
time chroot "$root" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/otp.deb' \
  >/dev/null
chroot "$root" /bin/sh -ec '
  otp --version
  export OTP_VAULT=/tmp/v/vault.sqlite OTP_PASSPHRASE="demo passphrase, not a real one"
  otp import --create /tmp/console-1080p-dark.png
  otp code aws --next 2 --min-remaining 10
  test -s /usr/share/man/man1/otp.1.gz && test -s /usr/share/bash-completion/completions/otp'
echo "deb-check: $(basename "$deb") installs and runs in a fresh Debian 12 root"
