namespace Loom.Data.Audio;

/// <summary>One row of the spoken-digits index: the WAV file (relative to the data folder) and how it was made.</summary>
/// <param name="File">Path relative to the folder holding <c>index.csv</c>, e.g. <c>wav/3_en-us+m3_p40_s140.wav</c>.</param>
/// <param name="Digit">0–9.</param>
/// <param name="Voice">espeak-ng voice and variant.</param>
/// <param name="Pitch">espeak-ng pitch.</param>
/// <param name="Speed">Words per minute.</param>
/// <param name="Split"><c>train</c> or <c>test</c>.</param>
public sealed record SpokenDigitClip(string File, int Digit, string Voice, int Pitch, int Speed, string Split);
