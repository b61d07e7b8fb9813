internal import CZBar

/// One zbar image scanner, configured for QR codes only, in binary mode.
///
/// zbar scanners are not thread-safe: a scanner shared by threads gives wrong results. Each thread owns one.
final class ZBarScanner {
    private let handle: OpaquePointer

    /// Creates a scanner for QR codes only, with binary mode on (raw bytes, no charset guessing).
    ///
    /// The corresponding C function is `zbar_image_scanner_create`.
    init() throws(ScanError) {
        try Self.load()
        guard let handle = otp_zbar_image_scanner_create() else { throw .scannerUnavailable }
        self.handle = handle
        // Disabling every symbology and enabling QR alone is ~35 % faster and avoids 1-D false hits on text.
        otp_zbar_image_scanner_set_config(handle, ZBAR_NONE, ZBAR_CFG_ENABLE, 0)
        otp_zbar_image_scanner_set_config(handle, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1)
        otp_zbar_image_scanner_set_config(handle, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1)
        setDensity(1)
    }

    deinit {
        otp_zbar_image_scanner_destroy(handle)
    }

    /// zbar is opened on the first scan (`dlopen`), so commands that never scan do not map it and its X11, D-Bus
    /// and video libraries.
    private static let loaded: Bool = {
        var message = [CChar](repeating: 0, count: 256)
        return otp_zbar_load(&message) == 1
    }()

    private static func load() throws(ScanError) {
        guard loaded else { throw .scannerUnavailable }
    }

    /// Sets the scan-line density (1 = every line). Config that applies to all symbologies is set on `ZBAR_NONE`.
    func setDensity(_ density: Int32) {
        otp_zbar_image_scanner_set_config(handle, ZBAR_NONE, ZBAR_CFG_X_DENSITY, density)
        otp_zbar_image_scanner_set_config(handle, ZBAR_NONE, ZBAR_CFG_Y_DENSITY, density)
    }

    /// Scans one image and returns every QR code found, in zbar's order, with coordinates in `image`'s frame.
    ///
    /// The corresponding C function is `zbar_scan_image`. Symbol data is copied before the image is destroyed.
    func scan(_ image: GrayImage) -> [Payload] {
        guard image.width > 0, image.height > 0, let zimage = otp_zbar_image_create() else { return [] }
        defer { otp_zbar_image_destroy(zimage) }
        otp_zbar_image_set_format(zimage, otp_zbar_fourcc_y800())
        otp_zbar_image_set_size(zimage, UInt32(image.width), UInt32(image.height))
        return image.pixels.withUnsafeBytes { raw -> [Payload] in
            otp_zbar_image_set_data(zimage, raw.baseAddress, UInt(raw.count))
            defer { otp_zbar_image_set_data(zimage, nil, 0) }
            guard otp_zbar_scan_image(handle, zimage) > 0 else { return [] }
            var found: [Payload] = []
            var symbol = otp_zbar_image_first_symbol(zimage)
            while let current = symbol {
                if otp_zbar_symbol_get_type(current) == ZBAR_QRCODE {
                    let length = Int(otp_zbar_symbol_get_data_length(current))
                    var bytes: [UInt8] = []
                    if length > 0, let data = otp_zbar_symbol_get_data(current) {
                        bytes = data.withMemoryRebound(to: UInt8.self, capacity: length) {
                            Array(UnsafeBufferPointer(start: $0, count: length))
                        }
                    }
                    var minX = Int.max
                    var minY = Int.max
                    var maxX = Int.min
                    var maxY = Int.min
                    let points = otp_zbar_symbol_get_loc_size(current)
                    for i in 0..<points {
                        let x = Int(otp_zbar_symbol_get_loc_x(current, i))
                        let y = Int(otp_zbar_symbol_get_loc_y(current, i))
                        minX = min(minX, x)
                        minY = min(minY, y)
                        maxX = max(maxX, x)
                        maxY = max(maxY, y)
                    }
                    if points == 0 {
                        (minX, minY, maxX, maxY) = (0, 0, 0, 0)
                    }
                    found.append(Payload(bytes: bytes, x: minX, y: minY, width: maxX - minX, height: maxY - minY))
                }
                symbol = otp_zbar_symbol_next(current)
            }
            return found
        }
    }
}

@available(*, unavailable)
extension ZBarScanner: Sendable {}
