# Set-up and entry points. Each target installs the Debian packages it needs (only when missing).
SHELL := /bin/bash
APT_BUILD := libpng-dev libjpeg62-turbo-dev libwebp-dev libheif-dev libzbar-dev libssl-dev libsqlite3-dev libqrencode-dev \
  libargon2-dev libsodium-dev libzip-dev libpq-dev pkg-config
APT_TEST := oathtool postgresql openssl xvfb xclip imagemagick x11-apps
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)


.PHONY: deb aws-venv deps demo test release bench-deps format lint man completions install sanitize sanitize-address sanitize-thread fuzz fuzz-replay

deps:
	@missing=$$(for p in $(APT_BUILD); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The main job: import a console screenshot (dark mode) into a throwaway vault and print its codes.
demo: deps
	swift build -c release --product otp
	@set -e; dir=$$(mktemp -d /tmp/otp-demo.XXXXXX); trap 'rm -rf "$$dir"' EXIT; \
	export OTP_VAULT="$$dir/vault.sqlite" OTP_PASSPHRASE="demo passphrase, not a real one"; \
	echo "== otp check Tests/Fixtures/png/console-1080p-dark.png (the secret is never printed)"; \
	.build/release/otp check Tests/Fixtures/png/console-1080p-dark.png; \
	echo "== otp import --create Tests/Fixtures/png/console-1080p-dark.png"; \
	.build/release/otp import --create Tests/Fixtures/png/console-1080p-dark.png; \
	echo "== otp list"; .build/release/otp list; \
	echo "== otp code aws --next 2 --min-remaining 10   (MFA code 1 and MFA code 2, at least 10 s left)"; \
	.build/release/otp code aws --next 2 --min-remaining 10

test: deps aws-venv
	@dpkg -s $(APT_TEST) >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_TEST); }
	swift test

# The AWS tests' local IAM/STS endpoint (moto's server) and the aws CLI, from PyPI, in a virtual environment.
AWS_VENV := .build/aws-venv
aws-venv:
	@[ -x $(AWS_VENV)/bin/moto_server ] && [ -x $(AWS_VENV)/bin/aws ] || { \
	  python3 -m venv $(AWS_VENV) && $(AWS_VENV)/bin/pip install -q --disable-pip-version-check \
	    'moto[server]==5.2.1' 'awscli==1.45.11'; }

release: deps
	swift build -c release

# A man page per command, generated from the command definitions (swift-argument-parser's generate-manual plugin).
man: deps
	swift package generate-manual --multi-page
	rm -rf .build/man && mkdir -p .build/man && cp .build/plugins/GenerateManual/outputs/otp/*.1 .build/man/
	rm -f .build/man/otp.agent.1 .build/man/otp.clear-clipboard.1

# Shell completion scripts (file paths complete where an argument is a file).
completions: release
	mkdir -p .build/completions
	.build/release/otp --generate-completion-script bash > .build/completions/otp.bash
	.build/release/otp --generate-completion-script zsh > .build/completions/_otp
	.build/release/otp --generate-completion-script fish > .build/completions/otp.fish

# make install PREFIX=/usr/local (or ~/.local): the binary, the man pages and the completions.
PREFIX ?= /usr/local
install: release man completions
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 .build/release/otp $(DESTDIR)$(PREFIX)/bin/otp
	install -m 644 .build/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 .build/completions/otp.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/otp
	install -m 644 .build/completions/_otp $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_otp
	install -m 644 .build/completions/otp.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/otp.fish

# House rules (.swift-format, 120 columns): `make format` rewrites, `make lint` checks (CI runs it).
format:
	Scripts/lint.sh --fix

lint:
	Scripts/lint.sh

# The whole suite under AddressSanitizer, then ThreadSanitizer (each in its own build folder). XCTest itself leaks,
# so leak detection is off.
sanitize: sanitize-address sanitize-thread

sanitize-address: deps
	ASAN_OPTIONS=detect_leaks=0 swift test --sanitize=address --scratch-path .build-asan

sanitize-thread: deps
	TSAN_OPTIONS=halt_on_error=1 swift test --sanitize=thread --scratch-path .build-tsan

# Mutates each libFuzzer target for FUZZ_SECONDS (default 600); crashes land in Fuzz/Regressions/TARGET/.
FUZZ_SECONDS ?= 600
fuzz: deps
	Scripts/fuzz.sh run $(FUZZ_SECONDS)

# Replays every committed corpus and regression file through the fuzz binaries, once each, no mutation (CI).
fuzz-replay: deps
	Scripts/fuzz.sh replay

# Tools used only by benchmarks, conformance scripts and fixture generation.
bench-deps:
	@missing=$$(for p in zbar-tools qrencode oathtool hyperfine; do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi

# make deb: a Debian package (the binary with the Swift runtime linked in statically, a man page per command,
# completions, README, licence) built with dpkg-deb into .build/deb/. `apt-get install ./.build/deb/otp_*.deb`
# installs it with the C libraries it needs (zbar, libheif and libpq are opened on first use, so they are listed too).
DEB_VERSION := $(shell sed -n 's/.*version: "otp \([0-9.]*\).*/\1/p' Sources/otp/OTP.swift | head -1)
DEB_ARCH := $(shell dpkg --print-architecture)
DEB_DEPENDS := libc6, libgcc-s1, libstdc++6, zlib1g, libbz2-1.0, libpng16-16, libjpeg62-turbo, libwebp7, libsqlite3-0, libssl3, libqrencode4, libargon2-1, \
  libsodium23, libzip4, libzbar0, libheif1, libpq5
deb: deps man
	swift build -c release --product otp --static-swift-stdlib --scratch-path .build-static
	rm -rf .build/deb && mkdir -p .build/deb/root/DEBIAN
	d=.build/deb/root; \
	install -D -m 755 .build-static/release/otp $$d/usr/bin/otp; \
	strip --strip-unneeded $$d/usr/bin/otp; \
	install -d $$d/usr/share/man/man1 $$d/usr/share/doc/otp $$d/usr/share/bash-completion/completions \
	  $$d/usr/share/zsh/vendor-completions $$d/usr/share/fish/vendor_completions.d; \
	for m in .build/man/*.1; do gzip -9n < $$m > $$d/usr/share/man/man1/$$(basename $$m).gz; done; \
	$$d/usr/bin/otp --generate-completion-script bash > $$d/usr/share/bash-completion/completions/otp; \
	$$d/usr/bin/otp --generate-completion-script zsh > $$d/usr/share/zsh/vendor-completions/_otp; \
	$$d/usr/bin/otp --generate-completion-script fish > $$d/usr/share/fish/vendor_completions.d/otp.fish; \
	install -m 644 README.md $$d/usr/share/doc/otp/README.md; \
	install -m 644 LICENSE $$d/usr/share/doc/otp/copyright; \
	printf '%s\n' "Package: otp" "Version: $(DEB_VERSION)" "Architecture: $(DEB_ARCH)" \
	  "Maintainer: swift-otp <swift-otp@users.noreply.github.com>" "Depends: $(DEB_DEPENDS)" \
	  "Recommends: xclip | wl-clipboard, imagemagick | x11-apps" "Section: utils" "Priority: optional" \
	  "Installed-Size: $$(du -sk $$d/usr | cut -f1)" \
	  "Description: MFA provisioning QR codes into an encrypted vault, and their one-time codes" \
	  " otp reads screenshots and photos of otpauth:// and Google transfer QR codes, 40 authenticator" \
	  " export formats and the screen or clipboard, keeps the accounts in a scrypt + AES-256-GCM vault," \
	  " and prints HOTP, TOTP and Steam codes (the AWS enrolment through the IAM API included)." \
	  > $$d/DEBIAN/control; \
	dpkg-deb --root-owner-group --build $$d .build/deb/otp_$(DEB_VERSION)_$(DEB_ARCH).deb
	@ls -l .build/deb/*.deb
