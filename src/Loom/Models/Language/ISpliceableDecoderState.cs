namespace Loom.Models.Language;

/// <summary>
/// A decoding state whose rows can come and go while it decodes (continuous batching). Its filled columns are shared:
/// every row ends at <see cref="IDecoderState.Length"/>, and a row holding fewer tokens is right-aligned with left
/// padding before it (the caller masks that padding out). Forward passes use rows [0, <see cref="ActiveRows"/>).
/// </summary>
public interface ISpliceableDecoderState : IDecoderState
{
    /// <summary>Rows it has room for.</summary>
    int RowCapacity { get; }

    /// <summary>Tokens (columns) each row has room for.</summary>
    int Capacity { get; }

    /// <summary>Rows the next forward pass runs on: the first <see cref="ActiveRows"/> of <see cref="RowCapacity"/>.</summary>
    int ActiveRows { get; }

    /// <summary>Makes the next forward passes run on rows [0, <paramref name="rows"/>); rows past the old count hold nothing
    /// yet.</summary>
    void UseRows(int rows);

    /// <summary>
    /// Copies the last <paramref name="tokens"/> filled columns of <paramref name="source"/>'s row <paramref name="sourceRow"/>
    /// into row <paramref name="row"/>, ending at this state's <see cref="IDecoderState.Length"/>. The source is a state of
    /// the same model (this one included, to move a row).
    /// </summary>
    void SpliceRow(int row, IDecoderState source, int sourceRow, int tokens);

    /// <summary>Drops the first <paramref name="count"/> columns (padding in every row) to make room at the end.</summary>
    void DropLeadingColumns(int count);

    /// <summary>Inserts <paramref name="count"/> padding columns before the filled ones (on an empty state: starts it at
    /// length <paramref name="count"/>).</summary>
    void PadLeft(int count);
}
