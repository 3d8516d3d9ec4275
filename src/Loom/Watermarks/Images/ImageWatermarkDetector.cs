using TorchSharp;

namespace Loom.Watermarks.Images;

/// <summary>
/// Looks for the watermark of <see cref="ImageWatermarkOptions.Key"/>: reads each payload bit as the lattice parity of the
/// luminance DCT projection (<see cref="ImageWatermarker"/>) and counts the bits that match the key's payload. With
/// <see cref="ImageWatermarkOptions.SearchAlignments"/> it also tries undoing blurs (dividing each coefficient by a
/// Gaussian's response, which is how a downscale and back, or JPEG, weakens it) and keeps the best; the threshold counts
/// those tries, so the false-positive rate on unmarked images stays at most <see cref="ImageWatermarkOptions.FalsePositiveRate"/>.
/// </summary>
public sealed class ImageWatermarkDetector
{
    /// <summary>Gaussian blurs (pixels) undone; a 0.5× bilinear resize and back acts like about 1.0.</summary>
    private static readonly double[] SearchBlurs = [0.0, 0.5, 0.75, 1.0, 1.25];

    private readonly ImageWatermarkOptions _options;
    private readonly double[] _blurs;

    public ImageWatermarkDetector(ImageWatermarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
        _blurs = options.SearchAlignments ? SearchBlurs : [0.0];
    }

    /// <summary>How many alignments each image is read at: the blurs of the search, or 1 without
    /// <see cref="ImageWatermarkOptions.SearchAlignments"/>.</summary>
    public int Alignments => _blurs.Length;

    /// <summary>Matching bits needed to say an image is marked, so that chance alone reaches it at any of the
    /// <see cref="Alignments"/> with probability at most <see cref="ImageWatermarkOptions.FalsePositiveRate"/>.</summary>
    public int Threshold => BinomialTail.Threshold(_options.PayloadBits, _options.FalsePositiveRate, Alignments);

    /// <summary>Reads one image ([C,H,W] or [1,C,H,W]; see <see cref="ImageWatermarker.Embed"/> for what is accepted).</summary>
    public ImageWatermarkDetection Detect(torch.Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var results = DetectAll(image);
        return results.Count == 1 ? results[0]
            : throw new Core.LoomDataException($"image: expected one image, got a batch of {results.Count}; use DetectAll");
    }

    /// <summary>Reads each image of a batch [N,C,H,W] (or one [C,H,W]).</summary>
    public IReadOnlyList<ImageWatermarkDetection> DetectAll(torch.Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var planes = ImagePlanes.From(images, "image");
        var pattern = WatermarkPattern.For(_options.Key, _options.PayloadBits, planes.Height, planes.Width);
        var results = new ImageWatermarkDetection[planes.Count];
        Parallel.For(0, planes.Count, n => results[n] = DetectOne(planes.Luminance(n), planes.Height, planes.Width, pattern));
        return results;
    }

    private ImageWatermarkDetection DetectOne(double[] luminance, int h, int w, WatermarkPattern pattern)
    {
        (int Matching, bool[] Bits, double Blur) best = (-1, [], 0);
        var dct = Dct2D.Forward(luminance, h, w);
        foreach (double blur in _blurs)
        {
            var projections = pattern.Project(dct, blur == 0 ? null : BlurGains(pattern, h, w, blur));
            var bits = new bool[projections.Length];
            int matching = 0;
            for (int j = 0; j < bits.Length; j++)
            {
                bits[j] = Lattice.Read(projections[j], pattern.Dither[j], _options.Strength);
                if (bits[j] == pattern.Payload[j]) matching++;
            }
            if (matching > best.Matching) best = (matching, bits, blur);
        }
        double pValue = Math.Min(1, Alignments * BinomialTail.AtLeast(best.Matching, pattern.Payload.Length));
        return new ImageWatermarkDetection(best.Matching, pattern.Payload.Length, best.Bits, pValue, Threshold,
            best.Matching >= Threshold, best.Blur);
    }

    /// <summary>1 / (a Gaussian blur's response) at each carrying coefficient: frequency u/(2H) cycles per pixel.</summary>
    private static double[] BlurGains(WatermarkPattern pattern, int h, int w, double sigma) =>
        pattern.Coefficients.Select(index =>
        {
            double fu = index / w / (2.0 * h), fv = index % w / (2.0 * w);
            return Math.Exp(2 * Math.PI * Math.PI * sigma * sigma * (fu * fu + fv * fv));
        }).ToArray();
}
