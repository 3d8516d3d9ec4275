using Loom.Text.Decoding;

namespace Loom.Text.Generation;

/// <summary>
/// The text capability a caller asks a model for (<c>model.GetService&lt;ITextGenerationModel&gt;()</c>): the decoding
/// engine over the model (batched generation, streaming, chat) and the settings it was saved with.
/// </summary>
public interface ITextGenerationModel
{
    /// <summary>The decoding engine over this model.</summary>
    TextGenerator CreateGenerator();

    /// <summary>The model's default settings (its stop tokens, sampling at temperature 1) for up to
    /// <paramref name="maxNewTokens"/>.</summary>
    GenerationSettings DefaultSettings(int maxNewTokens = 200);
}
