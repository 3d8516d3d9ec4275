using System.Globalization;
using Loom.Core;
using Loom.Data;
using static TorchSharp.torch;

namespace Loom.Models.Hmm;

/// <summary>
/// Reads HMM training/scoring data files (strict UTF-8; lines starting with '#' are comments).
/// <list type="bullet">
/// <item><b>categorical</b>: a text file with one sequence per line, symbols as whitespace-separated non-negative
/// integers (e.g. <c>0 2 1 1 0</c>). Blank lines are skipped.</item>
/// <item><b>gaussian-diag / gaussian-full</b>: a numeric CSV, one observation (a row of D comma-separated numbers)
/// per line; one or more blank lines end a sequence and start the next. An optional header row (not all numbers)
/// may come first. Every row has the same number of columns; NaN and infinities are errors.</item>
/// </list>
/// Every problem is one <see cref="LoomDataException"/> naming the file and line.
/// </summary>
public static class HmmData
{
    /// <summary>The sequences in <paramref name="path"/>: long <c>[T]</c> symbols (categorical) or float64 <c>[T, D]</c> tensors
    /// (Gaussian), owned by the caller.</summary>
    public static List<Tensor> Read(string path, HmmEmission emission) => Parse(TextFile.Read(path), path, emission);

    /// <summary>As <see cref="Read"/>, from the file's text held in memory; <paramref name="source"/> names it in errors.</summary>
    public static List<Tensor> Parse(string text, string source, HmmEmission emission) =>
        emission == HmmEmission.Categorical ? ParseSymbols(text, source) : ParseVectors(text, source);

    /// <summary>Writes sequences in the format <see cref="Read"/> reads (atomically).</summary>
    public static void Write(string path, IReadOnlyList<Tensor> sequences)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < sequences.Count; i++)
        {
            using var s = sequences[i].cpu();
            if (s.dim() == 1 && !s.is_floating_point())
            {
                sb.AppendJoin(' ', s.to(ScalarType.Int64).data<long>().ToArray()).Append('\n');
                continue;
            }
            if (i > 0)
                sb.Append('\n');
            using var m = (s.dim() == 1 ? s.unsqueeze(1) : s).to(ScalarType.Float64).contiguous();
            var values = m.data<double>().ToArray();
            long d = m.shape[1];
            for (long r = 0; r < m.shape[0]; r++)
            {
                for (long c = 0; c < d; c++)
                {
                    if (c > 0) sb.Append(',');
                    sb.Append(values[r * d + c].ToString("R", CultureInfo.InvariantCulture));
                }
                sb.Append('\n');
            }
        }
        IO.AtomicFile.WriteAllText(path, sb.ToString());
    }

    private static List<Tensor> ParseSymbols(string text, string path)
    {
        var lines = text.Split('\n');
        var sequences = new List<Tensor>();
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var tokens = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var symbols = new long[tokens.Length];
            for (int j = 0; j < tokens.Length; j++)
            {
                if (!long.TryParse(tokens[j], NumberStyles.None, CultureInfo.InvariantCulture, out symbols[j]) || symbols[j] > int.MaxValue)
                    throw new LoomDataException($"{path}:{i + 1}: symbol {j + 1} is '{tokens[j]}', not a non-negative integer");
            }
            sequences.Add(tensor(symbols, dtype: ScalarType.Int64));
        }
        if (sequences.Count == 0)
            throw new LoomDataException($"{path}: no sequences (expected one line of whitespace-separated integer symbols per sequence)");
        return sequences;
    }

    private static List<Tensor> ParseVectors(string text, string path)
    {
        var lines = text.Split('\n');
        var sequences = new List<Tensor>();
        var current = new List<double>();
        int columns = -1, rowsInCurrent = 0;
        bool seenRow = false;
        void Flush()
        {
            if (rowsInCurrent > 0)
                sequences.Add(tensor(current.ToArray(), new long[] { rowsInCurrent, columns }, dtype: ScalarType.Float64));
            current.Clear();
            rowsInCurrent = 0;
        }
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith('#'))
                continue;
            if (line.Length == 0)
            {
                Flush();
                continue;
            }
            var cells = line.Split(',');
            if (!seenRow && columns < 0
                && cells.Any(c => !double.TryParse(c.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                columns = cells.Length;   // header row
                continue;
            }
            seenRow = true;
            if (columns < 0)
                columns = cells.Length;
            if (cells.Length != columns)
                throw new LoomDataException($"{path}:{i + 1}: has {cells.Length} columns, expected {columns}");
            for (int j = 0; j < cells.Length; j++)
            {
                var cell = cells[j].Trim();
                if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    throw new LoomDataException(
                        $"{path}:{i + 1}: column {j + 1} is '{cell}', not a number (sequences are separated by blank lines)");
                if (!double.IsFinite(value))
                    throw new LoomDataException($"{path}:{i + 1}: column {j + 1} is {cell}; NaN and infinities are not allowed");
                current.Add(value);
            }
            rowsInCurrent++;
        }
        Flush();
        if (sequences.Count == 0)
            throw new LoomDataException($"{path}: no observations (expected CSV rows, blank lines between sequences)");
        return sequences;
    }
}
