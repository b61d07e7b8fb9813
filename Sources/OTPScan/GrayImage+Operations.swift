extension GrayImage {
    /// Applies `transform` to every pixel.
    @inline(__always)
    private func mapped(_ transform: (UInt8) -> UInt8) -> GrayImage {
        let count = pixelCount
        let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            pixels.withUnsafeBufferPointer { source in
                for i in 0..<count { buffer[i] = transform(source[i]) }
            }
            initialized = count
        }
        return GrayImage(width: width, height: height, pixels: out)
    }

    /// The negative image: light modules on a dark background (dark-mode screenshots) become dark on light.
    public func inverted() -> GrayImage {
        mapped { 255 &- $0 }
    }

    /// The image shrunk by an integer factor, each output pixel the mean of a `factor`×`factor` box.
    ///
    /// Huge screenshots have big modules; scanning a quarter of the pixels finds their codes at a quarter of the cost.
    public func downscaled(by factor: Int) -> GrayImage {
        precondition(factor >= 1)
        guard factor > 1 else { return self }
        let outWidth = width / factor
        let outHeight = height / factor
        guard outWidth > 0, outHeight > 0 else { return self }
        if factor == 2 { return halved(outWidth: outWidth, outHeight: outHeight) }
        let area = UInt32(factor * factor)
        var sums = [UInt32](repeating: 0, count: outWidth)
        let out = [UInt8](unsafeUninitializedCapacity: outWidth * outHeight) { buffer, initialized in
            pixels.withUnsafeBufferPointer { source in
                sums.withUnsafeMutableBufferPointer { sums in
                    for oy in 0..<outHeight {
                        for i in 0..<outWidth { sums[i] = 0 }
                        for dy in 0..<factor {
                            let row = (oy * factor + dy) * width
                            for ox in 0..<outWidth {
                                var s: UInt32 = 0
                                let start = row + ox * factor
                                for dx in 0..<factor { s &+= UInt32(source[start + dx]) }
                                sums[ox] &+= s
                            }
                        }
                        let outRow = oy * outWidth
                        for ox in 0..<outWidth {
                            buffer[outRow + ox] = UInt8(truncatingIfNeeded: (sums[ox] + area / 2) / area)
                        }
                    }
                }
            }
            initialized = outWidth * outHeight
        }
        return GrayImage(width: outWidth, height: outHeight, pixels: out)
    }

    /// Factor-2 box downscale on raw pointers: two source rows per output row, four samples per output pixel.
    private func halved(outWidth: Int, outHeight: Int) -> GrayImage {
        let out = [UInt8](unsafeUninitializedCapacity: outWidth * outHeight) { buffer, initialized in
            pixels.withUnsafeBufferPointer { source in
                guard let src = source.baseAddress, let dst = buffer.baseAddress else { return }
                for oy in 0..<outHeight {
                    let top = src + 2 * oy * width
                    let bottom = top + width
                    let row = dst + oy * outWidth
                    for ox in 0..<outWidth {
                        let x = 2 &* ox
                        let sum =
                            UInt16(top[x]) &+ UInt16(top[x &+ 1]) &+ UInt16(bottom[x]) &+ UInt16(bottom[x &+ 1]) &+ 2
                        row[ox] = UInt8(truncatingIfNeeded: sum >> 2)
                    }
                }
            }
            initialized = outWidth * outHeight
        }
        return GrayImage(width: outWidth, height: outHeight, pixels: out)
    }

    /// The image enlarged by an integer factor with nearest-neighbour sampling, which keeps module edges sharp.
    ///
    /// zbar needs a few pixels per module; codes drawn at 1–2 pixels per module are read after this.
    public func upscaled(by factor: Int) -> GrayImage {
        precondition(factor >= 1)
        guard factor > 1 else { return self }
        let outWidth = width * factor
        let outHeight = height * factor
        let out = [UInt8](unsafeUninitializedCapacity: outWidth * outHeight) { buffer, initialized in
            pixels.withUnsafeBufferPointer { source in
                for y in 0..<height {
                    let firstRow = y * factor * outWidth
                    for x in 0..<width {
                        let value = source[y * width + x]
                        let start = firstRow + x * factor
                        for dx in 0..<factor { buffer[start + dx] = value }
                    }
                    for dy in 1..<factor {
                        let target = firstRow + dy * outWidth
                        for x in 0..<outWidth { buffer[target + x] = buffer[firstRow + x] }
                    }
                }
            }
            initialized = outWidth * outHeight
        }
        return GrayImage(width: outWidth, height: outHeight, pixels: out)
    }

    /// A 256-bin histogram of the pixel values.
    func histogram() -> [Int] {
        var counts = [Int](repeating: 0, count: 256)
        counts.withUnsafeMutableBufferPointer { counts in
            pixels.withUnsafeBufferPointer { source in
                for value in source { counts[Int(value)] &+= 1 }
            }
        }
        return counts
    }

    /// Whether at least 90 % of the pixels are within 16 levels of the lightest: what a composite onto white leaves
    /// of light content drawn on transparency.
    var isNearlyBlank: Bool {
        let counts = histogram()
        guard let lightest = counts.lastIndex(where: { $0 > 0 }) else { return true }
        let near = counts[max(0, lightest - 16)...lightest].reduce(0, +)
        return near * 10 >= pixelCount * 9
    }

    /// The image thresholded locally to pure black and white, as zxing's `HybridBinarizer` does.
    ///
    /// The image is cut into 8×8 blocks; each block's black point is its mean (or, for flat blocks, an estimate
    /// from its neighbours), and each pixel is compared with the mean black point of the 5×5 blocks around its
    /// block. This survives uneven lighting, gradients and low contrast that a global threshold does not.
    /// Returns `nil` for images under 40×40 pixels. With `inverted`, dark pixels become white (one buffer, not two).
    public func binarized(inverted: Bool = false) -> GrayImage? {
        let block = 8
        guard width >= block * 5, height >= block * 5 else { return nil }
        let subWidth = (width + block - 1) / block
        let subHeight = (height + block - 1) / block
        var blackPoints = [Int](repeating: 0, count: subWidth * subHeight)
        pixels.withUnsafeBufferPointer { source in
            blackPoints.withUnsafeMutableBufferPointer { points in
                for by in 0..<subHeight {
                    let yOffset = min(by * block, height - block)
                    for bx in 0..<subWidth {
                        let xOffset = min(bx * block, width - block)
                        var sum = 0
                        var low = 255
                        var high = 0
                        for y in 0..<block {
                            let row = (yOffset + y) * width + xOffset
                            for x in 0..<block {
                                let value = Int(source[row + x])
                                sum &+= value
                                low = Swift.min(low, value)
                                high = Swift.max(high, value)
                            }
                        }
                        var average = sum >> 6
                        if high - low <= 24 {
                            // A flat block: background, unless a neighbour says the area is darker.
                            average = low / 2
                            if by > 0, bx > 0 {
                                let neighbours =
                                    (points[(by - 1) * subWidth + bx] + 2 * points[by * subWidth + bx - 1]
                                        + points[(by - 1) * subWidth + bx - 1]) / 4
                                if low < neighbours { average = neighbours }
                            }
                        }
                        points[by * subWidth + bx] = average
                    }
                }
            }
        }
        let count = pixelCount
        let dark: UInt8 = inverted ? 255 : 0
        let light: UInt8 = inverted ? 0 : 255
        let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            pixels.withUnsafeBufferPointer { source in
                blackPoints.withUnsafeBufferPointer { points in
                    for by in 0..<subHeight {
                        let yOffset = min(by * block, height - block)
                        let top = Swift.min(Swift.max(by, 2), subHeight - 3)
                        for bx in 0..<subWidth {
                            let xOffset = min(bx * block, width - block)
                            let left = Swift.min(Swift.max(bx, 2), subWidth - 3)
                            var sum = 0
                            for dy in -2...2 {
                                let row = (top + dy) * subWidth + left
                                sum +=
                                    points[row - 2] + points[row - 1] + points[row] + points[row + 1] + points[row + 2]
                            }
                            let threshold = sum / 25
                            for y in 0..<block {
                                let row = (yOffset + y) * width + xOffset
                                for x in 0..<block {
                                    buffer[row + x] = Int(source[row + x]) <= threshold ? dark : light
                                }
                            }
                        }
                    }
                }
            }
            initialized = count
        }
        return GrayImage(width: width, height: height, pixels: out)
    }
}

extension GrayImage {
    /// The image resampled to `width`×`height` with bilinear interpolation (smooth edges, unlike
    /// ``upscaled(by:)``): photos of codes and soft JPEG edges read better at a smooth scale.
    public func resized(width outWidth: Int, height outHeight: Int) -> GrayImage {
        guard outWidth > 0, outHeight > 0, width > 0, height > 0 else { return self }
        let xScale = Double(width) / Double(outWidth)
        let yScale = Double(height) / Double(outHeight)
        // Fixed-point source coordinates (16 fractional bits) per output column.
        let xs: [(Int, Int, UInt32)] = (0..<outWidth).map { ox in
            let sx = max(0, (Double(ox) + 0.5) * xScale - 0.5)
            let x0 = min(Int(sx), width - 1)
            let x1 = min(x0 + 1, width - 1)
            return (x0, x1, UInt32((sx - Double(x0)) * 256))
        }
        let out = [UInt8](unsafeUninitializedCapacity: outWidth * outHeight) { buffer, initialized in
            pixels.withUnsafeBufferPointer { source in
                for oy in 0..<outHeight {
                    let sy = max(0, (Double(oy) + 0.5) * yScale - 0.5)
                    let y0 = min(Int(sy), height - 1)
                    let y1 = min(y0 + 1, height - 1)
                    let fy = UInt32((sy - Double(y0)) * 256)
                    let row0 = y0 * width
                    let row1 = y1 * width
                    for ox in 0..<outWidth {
                        let (x0, x1, fx) = xs[ox]
                        let top = UInt32(source[row0 + x0]) * (256 - fx) + UInt32(source[row0 + x1]) * fx
                        let bottom = UInt32(source[row1 + x0]) * (256 - fx) + UInt32(source[row1 + x1]) * fx
                        buffer[oy * outWidth + ox] = UInt8(
                            truncatingIfNeeded: (top * (256 - fy) + bottom * fy + 32768) >> 16)
                    }
                }
            }
            initialized = outWidth * outHeight
        }
        return GrayImage(width: outWidth, height: outHeight, pixels: out)
    }

    /// The image scaled by a factor with bilinear interpolation.
    public func scaled(by factor: Double) -> GrayImage {
        resized(
            width: max(1, Int((Double(width) * factor).rounded())),
            height: max(1, Int((Double(height) * factor).rounded())))
    }

    /// A 3×3 box blur: halftone dots, scanner noise and JPEG ringing melt into modules zbar can follow.
    public func smoothed() -> GrayImage {
        guard width >= 3, height >= 3 else { return self }
        let out = [UInt8](unsafeUninitializedCapacity: pixelCount) { buffer, initialized in
            pixels.withUnsafeBufferPointer { source in
                for y in 0..<height {
                    let up = max(y - 1, 0) * width
                    let mid = y * width
                    let down = min(y + 1, height - 1) * width
                    for x in 0..<width {
                        let l = max(x - 1, 0)
                        let r = min(x + 1, width - 1)
                        var sum = UInt32(source[up + l]) + UInt32(source[up + x]) + UInt32(source[up + r])
                        sum += UInt32(source[mid + l]) + UInt32(source[mid + x]) + UInt32(source[mid + r])
                        sum += UInt32(source[down + l]) + UInt32(source[down + x]) + UInt32(source[down + r])
                        buffer[mid + x] = UInt8(truncatingIfNeeded: (sum + 4) / 9)
                    }
                }
            }
            initialized = pixelCount
        }
        return GrayImage(width: width, height: height, pixels: out)
    }

    /// A rectangle of the image.
    public func cropped(x: Int, y: Int, width cropWidth: Int, height cropHeight: Int) -> GrayImage {
        precondition(x >= 0 && y >= 0 && x + cropWidth <= width && y + cropHeight <= height, "crop outside the image")
        let out = [UInt8](unsafeUninitializedCapacity: cropWidth * cropHeight) { buffer, initialized in
            pixels.withUnsafeBufferPointer { source in
                for row in 0..<cropHeight {
                    let from = (y + row) * width + x
                    for column in 0..<cropWidth { buffer[row * cropWidth + column] = source[from + column] }
                }
            }
            initialized = cropWidth * cropHeight
        }
        return GrayImage(width: cropWidth, height: cropHeight, pixels: out)
    }

    /// The image inside a uniform border (a quiet zone for codes cropped to their edge).
    public func padded(by border: Int, fill: UInt8 = 255) -> GrayImage {
        let outWidth = width + 2 * border
        let outHeight = height + 2 * border
        var out = [UInt8](repeating: fill, count: outWidth * outHeight)
        out.withUnsafeMutableBufferPointer { target in
            pixels.withUnsafeBufferPointer { source in
                for y in 0..<height {
                    let start = (y + border) * outWidth + border
                    for x in 0..<width { target[start + x] = source[y * width + x] }
                }
            }
        }
        return GrayImage(width: outWidth, height: outHeight, pixels: out)
    }

    /// The image rotated by 45° (bilinear, on a white canvas large enough to hold it): zbar's scan lines then cross
    /// the code diagonally, which reads some dotted and damaged codes the axis-aligned lines miss.
    public func rotated45() -> GrayImage {
        let side = Int((Double(width + height) / 2.0.squareRoot()).rounded(.up)) + 2
        let cx = Double(width) / 2
        let cy = Double(height) / 2
        let c = Double(side) / 2
        let k = 0.5.squareRoot()
        var out = [UInt8](repeating: 255, count: side * side)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for oy in 0..<side {
                    for ox in 0..<side {
                        let dx = Double(ox) - c
                        let dy = Double(oy) - c
                        target[oy * side + ox] = Self.bilinear(
                            source, width, height, (dx + dy) * k + cx, (dy - dx) * k + cy, outside: 255)
                    }
                }
            }
        }
        return GrayImage(width: side, height: side, pixels: out)
    }
}

extension GrayImage {
    /// The bilinear sample of `pixels` (a `width` × `height` image) at (x, y), or `outside` beyond its last full
    /// pixel (and for a coordinate that is not finite). Shared by the 45° rotation and the rectifying pass.
    @inline(__always)
    static func bilinear(
        _ pixels: UnsafeBufferPointer<UInt8>, _ width: Int, _ height: Int, _ x: Double, _ y: Double, outside: UInt8
    ) -> UInt8 {
        guard x.isFinite, y.isFinite, x >= 0, y >= 0, x < Double(width - 1), y < Double(height - 1) else {
            return outside
        }
        let x0 = Int(x)
        let y0 = Int(y)
        let fx = x - Double(x0)
        let fy = y - Double(y0)
        let i = y0 * width + x0
        let top = Double(pixels[i]) * (1 - fx) + Double(pixels[i + 1]) * fx
        let bottom = Double(pixels[i + width]) * (1 - fx) + Double(pixels[i + width + 1]) * fx
        return UInt8(clamping: Int((top * (1 - fy) + bottom * fy).rounded()))
    }

    /// The image as it should be shown, given an EXIF orientation (1 upright, 2 mirrored, 3 turned 180°,
    /// 4 flipped, 5 transposed, 6 turned 90° clockwise, 7 transversed, 8 turned 90° anticlockwise). Other values
    /// leave it as it is.
    public func oriented(exif orientation: Int) -> GrayImage {
        guard (2...8).contains(orientation) else { return self }
        let w = width
        let h = height
        let swaps = orientation >= 5
        let outWidth = swaps ? h : w
        let outHeight = swaps ? w : h
        var out = [UInt8](repeating: 0, count: w * h)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        let (sx, sy) =
                            switch orientation {
                            case 2: (w - 1 - x, y)
                            case 3: (w - 1 - x, h - 1 - y)
                            case 4: (x, h - 1 - y)
                            case 5: (y, x)
                            case 6: (y, h - 1 - x)
                            case 7: (w - 1 - y, h - 1 - x)
                            default: (w - 1 - y, x)
                            }
                        target[y * outWidth + x] = source[sy * w + sx]
                    }
                }
            }
        }
        return GrayImage(width: outWidth, height: outHeight, pixels: out)
    }
}
