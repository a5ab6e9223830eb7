import Imaging

extension DecodePass {
    /// zbar on the image as it is.
    public static let plain: DecodePass = {
        var pass = DecodePass("full", cost: Cost(perMegapixel: 1)) { ($0.original, .identity) }
        pass.keepsBarWidths = true
        return pass
    }()

    /// The standard cascade, cheapest and most productive first (measured on the sample photos:
    /// see docs/benchmarks.md). Passes that only help QR codes are left out when QR is not wanted.
    static func standard(for symbologies: Set<Symbology>) -> [DecodePass] {
        let qr = symbologies.contains(.qr), linear = symbologies.contains { $0.isLinear }
        var passes: [DecodePass] = [
            shrunkOtsu(2, minShortSide: 360),
            otsu(minShortSide: 360).sparse(),
            adaptive(factor: 1).sparse(),
            otsu(maxShortSide: 359).sparse(),
        ]
        if linear {
            passes += [
                adaptive(factor: 1).inBarRegion(), upscaled(1.5, maxShortSide: 900).inBarRegion(maxShortSide: 900),
                upscaledCLAHE.inBarRegion(maxShortSide: 600),
            ]
        }
        passes += [
            adaptive(factor: 1),
            shrunkOtsu(2, minShortSide: 360, inverted: true),
            adaptive(factor: 2),
        ]
        if qr { passes += [locator(inverted: false), locator(inverted: true), invertedPlain] }
        passes += [
            invertedGamma.sparse(),
            upscaled(1.5, maxShortSide: 900),
            tinyPadded,
            upscaledCLAHE,
        ]
        passes += [
            shrunk(6, minShortSide: 900),
            shrunk(6, minShortSide: 900, inverted: true),
            shrunk(4, minShortSide: 700),
        ]
        return passes
    }

    /// The same pass on the part of the image that shows bars (``BarRegion``): its cost is
    /// counted on the part's pixels. Does not apply when no region is found or it is most of the
    /// image.
    ///
    /// `maxShortSide` bounds the whole image's short side, as the whole-image pass's own bound
    /// does (an enlargement for thin bars is for small photos).
    func inBarRegion(maxShortSide: Int = .max) -> DecodePass {
        let prepareWhole = prepare
        var pass = self
        pass.name += "-bars"
        pass.prepare = { inputs in
            guard inputs.shortSide <= maxShortSide, let region = inputs.barRegion,
                let part = inputs.barRegionInputs
            else { return [] }
            let offset = Homography(scale: 1, dx: Double(region.x), dy: Double(region.y))
            return prepareWhole(part).map { group in { group().map { ($0.0, offset.composed(with: $0.1)) } } }
        }
        pass.costedPixels = { inputs in inputs.barRegionInputs.map { $0.original.width * $0.original.height } ?? 0 }
        return pass
    }

    /// The same pass with zbar scanning every other row and column: half zbar's work, and
    /// enough scan lines for most codes in a photo.
    func sparse() -> DecodePass {
        var pass = self
        pass.density = (2, 2)
        pass.linesPerPoint = 2
        pass.cost.perMegapixel /= 2
        pass.name += "-sparse"
        return pass
    }

    /// The QR locator: finder patterns on an adaptive binarisation (half size for large frames),
    /// then the code warped flat from the grey image.
    ///
    /// zbar scans the flattened candidates on every other line: they are drawn with three or more
    /// pixels a module, so each finder pattern is still crossed by four lines or more, and on every
    /// line zbar's QR reader slows down badly on a big symbol (a version-39 canvas: 28 ms against
    /// 3.4 ms, docs/benchmarks.md).
    static func locator(inverted: Bool) -> DecodePass {
        var pass = DecodePass(
            name: inverted ? "inverted-qr-locator" : "qr-locator", cost: Cost(perMegapixel: 0.08, fixed: 0.35)
        ) { inputs in
            QRLocator.locate(in: inputs, inverted: inverted).candidates
        }
        pass.density = (2, 2)
        return pass
    }

    static func otsu(minShortSide: Int = 0, maxShortSide: Int = .max) -> DecodePass {
        var pass = DecodePass("otsu", cost: Cost(perMegapixel: 0.35, fixed: 0.014)) { inputs in
            guard (minShortSide...maxShortSide).contains(inputs.shortSide) else { return nil }
            return (inputs.original.otsuBinarized(), .identity)
        }
        pass.keepsBarWidths = true
        return pass
    }

    static func shrunkOtsu(_ factor: Int, minShortSide: Int, inverted: Bool = false) -> DecodePass {
        var pass = DecodePass(
            inverted ? "inverted-1/\(factor)-otsu" : "1/\(factor)-otsu",
            cost: Cost(perMegapixel: 0.4 / Double(factor * factor), fixed: 0.01)
        ) {
            inputs in
            guard inputs.shortSide >= minShortSide else { return nil }
            let image = inputs.shrunk(factor).otsuBinarized()
            return (inverted ? image.inverted() : image, PassInputs.scale(1 / Double(factor)))
        }
        pass.keepsBarWidths = true
        return pass
    }

    static func shrunk(_ factor: Int, minShortSide: Int, inverted: Bool = false) -> DecodePass {
        DecodePass(inverted ? "inverted-1/\(factor)" : "1/\(factor)", cost: Cost(perMegapixel: 0.07, fixed: 0.014)) {
            inputs in
            guard inputs.shortSide >= minShortSide else { return nil }
            let image = inputs.shrunk(factor)
            return (inverted ? image.inverted() : image, PassInputs.scale(1 / Double(factor)))
        }
    }

    static func adaptive(factor: Int) -> DecodePass {
        DecodePass(
            factor == 1 ? "adaptive" : "1/\(factor)-adaptive", cost: Cost(perMegapixel: 0.8 / Double(factor * factor))
        ) { inputs in
            guard factor == 1 || inputs.shortSide >= 360 else { return nil }
            if factor == 1 { return (inputs.adaptiveBinary, .identity) }
            let image = inputs.shrunk(factor)
            let block = max(15, min(image.width, image.height) / 8) | 1
            return (image.adaptiveBinarized(block: block), PassInputs.scale(1 / Double(factor)))
        }
    }

    /// Enlarged (cubic) for thin bars; zbar scans every other row, as the enlargement repeats
    /// them, and every fourth column: thin bars are mostly upright in a checkout photo, and a code
    /// turned a quarter is still crossed by many columns (the same photos turned 90 degrees lose
    /// no read to it: docs/benchmarks.md).
    static func upscaled(_ factor: Double, maxShortSide: Int) -> DecodePass {
        var pass = DecodePass("x\(factor)", cost: Cost(perMegapixel: 0.33 * factor * factor, fixed: 0.03)) { inputs in
            guard inputs.shortSide <= maxShortSide else { return nil }
            return (inputs.original.scaled(by: factor), PassInputs.scale(factor))
        }
        pass.density = (4, 2)
        return pass
    }

    /// Tiny images (a code cropped to its edge, one pixel a module): enlarged 4x on a white margin,
    /// since zbar needs a quiet zone the crop lacks. zbar scans every other line: the enlargement
    /// repeats each source line four times over.
    static let tinyPadded: DecodePass = {
        var pass = DecodePass("x4-padded", cost: Cost(perMegapixel: 10, fixed: 0.02), prepare: padded4x)
        pass.density = (2, 2)
        return pass
    }()

    private static func padded4x(_ inputs: PassInputs) -> (GreyImage, Homography)? {
        guard inputs.shortSide <= 200 else { return nil }
        let big = inputs.original.scaled(by: 4)
        let pad = 24
        var canvas = GreyImage(width: big.width + 2 * pad, height: big.height + 2 * pad, fill: 255)
        for y in 0..<big.height {
            let row = (y + pad) * canvas.width + pad
            canvas.pixels.replaceSubrange(
                row..<(row + big.width), with: big.pixels[(y * big.width)..<((y + 1) * big.width)])
        }
        return (canvas, Homography(scale: 0.25, dx: -Double(pad) / 4, dy: -Double(pad) / 4))
    }

    /// Enlarged 2x with CLAHE, for thin bars in uneven light; zbar scans every row (skipping rows
    /// here loses reads) and every fourth column, as ``upscaled(_:maxShortSide:)`` does.
    static let upscaledCLAHE: DecodePass = {
        var pass = DecodePass("x2-clahe", cost: Cost(perMegapixel: 4)) { inputs in
            guard inputs.shortSide <= 600 else { return nil }
            return (inputs.original.scaled(by: 2).clahe(tiles: inputs.claheTiles), PassInputs.scale(2))
        }
        pass.density = (4, 1)
        return pass
    }()

    /// zbar on the inverted image at full size: a dense dark-mode code (a phone-balance coupon's
    /// version 9 or 10 QR, light on dark) whose modules the half-size inverted pass blurs together.
    static let invertedPlain = DecodePass("inverted", cost: Cost(perMegapixel: 1, fixed: 0.01)) {
        ($0.original.inverted(), .identity)
    }

    /// Light bars on a reflective can: invert, then darken mid-tones.
    static let invertedGamma = DecodePass("inverted-gamma3", cost: Cost(perMegapixel: 0.8, fixed: 0.01)) {
        ($0.original.inverted().gammaCorrected(3), .identity)
    }
}
