namespace Loom.Text.Tokenizers;

/// <summary>
/// A token matched as a whole string before the ordinary tokenizer sees the text (HF tokenizers' "added_tokens").
/// <see cref="Special"/> tokens are the ones <see cref="ITokenizer.SpecialTokens"/> lists, that
/// <c>allowSpecial: false</c> encodes as plain text and <c>skipSpecial</c> leaves out of decoded text.
/// </summary>
/// <param name="Id">The token's id.</param>
/// <param name="Content">The exact text that stands for the token.</param>
/// <param name="Special">Whether it is a special (control) token.</param>
/// <param name="LStrip">The match also takes the whitespace on its left.</param>
/// <param name="RStrip">The match also takes the whitespace on its right.</param>
/// <param name="SingleWord">The match only counts when no word character touches it.</param>
/// <param name="Normalized">HF's flag for matching after normalization; kept for saving (Loom's tokenizers have no normalizer).</param>
public sealed record AddedToken(
    int Id, string Content, bool Special =
        true, bool LStrip = false, bool RStrip = false, bool SingleWord = false, bool Normalized = false);
