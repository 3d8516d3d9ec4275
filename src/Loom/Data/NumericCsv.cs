using System.Globalization;
using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Data;

/// <summary>
/// Numeric CSV: one row per sample, comma-separated numbers, an optional header row (detected when the first
/// row is not all numbers), '#' comment lines ignored. Ragged rows, non-numbers, NaN and infinities are errors
/// naming the file, line and column.
/// </summary>
public static class NumericCsv
{
    /// <summary>Reads the file as a float64 tensor of shape [rows, columns] on CPU.</summary>
    public static Tensor ReadMatrix(string path) => ToTensor(Read(path, out _), path);

    public static double[][] Read(string path, out string[]? header) => Parse(TextFile.Read(path), path, out header);

    /// <summary>Reads CSV text held in memory (as <see cref="Read"/>); <paramref name="path"/> names it in errors.</summary>
    public static double[][] Parse(string text, string path, out string[]? header)
    {
        header = null;
        var lines = text.Split('\n');
        var rows = new List<double[]>();
        int columns = -1;
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var cells = line.Split(',');
            if (rows.Count == 0 && header is null
                && cells.Any(c => !double.TryParse(c.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                header = cells.Select(c => c.Trim()).ToArray();
                columns = cells.Length;
                continue;
            }
            if (columns < 0)
                columns = cells.Length;
            if (cells.Length != columns)
                throw new LoomDataException($"{path}:{i + 1}: has {cells.Length} columns, expected {columns}");
            var row = new double[columns];
            for (int j = 0; j < columns; j++)
            {
                var cell = cells[j].Trim();
                if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    throw new LoomDataException($"{path}:{i + 1}: column {j + 1} is '{cell}', not a number");
                if (!double.IsFinite(value))
                    throw new LoomDataException($"{path}:{i + 1}: column {j + 1} is {cell}; NaN and infinities are not allowed");
                row[j] = value;
            }
            rows.Add(row);
        }
        if (rows.Count == 0)
            throw new LoomDataException($"{path}: no data rows");
        return rows.ToArray();
    }

    public static Tensor ToTensor(double[][] rows, string source)
    {
        if (rows.Length == 0)
            throw new LoomDataException($"{source}: no data rows");
        int d = rows[0].Length;
        var flat = new double[rows.Length * d];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != d)
                throw new LoomDataException($"{source}: row {i + 1} has {rows[i].Length} values, expected {d}");
            Array.Copy(rows[i], 0, flat, i * d, d);
        }
        return torch.tensor(flat, new long[] { rows.Length, d }, dtype: ScalarType.Float64);
    }

    /// <summary>Writes a [rows, columns] tensor as CSV (round-trip precision), atomically.</summary>
    public static void Write(string path, Tensor matrix, IReadOnlyList<string>? header = null) =>
        IO.AtomicFile.WriteAllText(path, Format(matrix, header, path));

    /// <summary>CSV text of a [rows, columns] tensor, round-trip precision.</summary>
    public static string Format(Tensor matrix, IReadOnlyList<string>? header = null, string what = "samples")
    {
        using var cpu = matrix.to(ScalarType.Float64).cpu().contiguous();
        if (cpu.dim() != 2)
            throw new LoomDataException($"{what}: expected a 2-D tensor to write as CSV, got shape [{string.Join(", ", cpu.shape)}]");
        var values = cpu.data<double>().ToArray();
        long n = cpu.shape[0], d = cpu.shape[1];
        var sb = new System.Text.StringBuilder();
        if (header is not null)
            sb.AppendLine(string.Join(',', header));
        for (long i = 0; i < n; i++)
        {
            for (long j = 0; j < d; j++)
            {
                if (j > 0) sb.Append(',');
                sb.Append(values[i * d + j].ToString("R", CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
