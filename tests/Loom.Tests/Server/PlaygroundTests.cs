#pragma warning disable OPENAI001   // ChatCompletionOptions.Seed is marked experimental in the SDK
using System.Net;
using Loom.Server;
using Loom.Tests.Support;
using Microsoft.Playwright;
using OpenAI.Chat;

namespace Loom.Tests.Server;

/// <summary>
/// The web playground at <c>GET /</c> in headless Chromium (Debian's, through Playwright): the page loads without a key,
/// takes the key, lists the models, streams a seeded chat reply equal to the SDK's reply to the same request, and shows
/// the generated images as data: PNGs in its grid, and plays generated audio clips (WaveNet) as data: WAVs.
/// </summary>
public sealed class PlaygroundTests
{
    [Fact]
    public async Task The_page_needs_no_key_and_is_self_contained()
    {
        await using var server = await ServerHarness.StartAsync();
        using var http = server.Http(key: "");
        var response = await http.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>Loom playground</title>", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.Contains("connect-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task A_browser_streams_a_chat_reply_and_shows_generated_images()
    {
        await using var server = await ServerHarness.StartAsync(store =>
        {
            TinyServedModels.SaveAll(store);
            return new LoomServerOptions { ModelsFolder = store, Port = 0 };
        });
        var expected = (await server.OpenAi().GetChatClient(ServerHarness.Model).CompleteChatAsync([new UserChatMessage("hello")],
            new ChatCompletionOptions { Temperature = 0.8f, TopP = 1, Seed = 5, MaxOutputTokenCount = 12 })).Value.Content.Single().Text;
        using var folder = new TempFolder();
        await using var session = await PlaygroundSession.OpenAsync(server, "5 models");
        var page = session.Page;
        await page.GetByLabel("Text model").SelectOptionAsync(ServerHarness.Model);
        await page.GetByLabel("Max tokens").FillAsync("12");
        await page.GetByLabel("Seed").First.FillAsync("5");
        await page.GetByLabel("Message").FillAsync("hello");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(page.Locator("#chat-status")).ToHaveTextAsync("Done.");
        await Assertions.Expect(page.Locator(".message.assistant")).ToHaveTextAsync(expected);

        await page.GetByLabel("Image model").SelectOptionAsync(TinyServedModels.Gan);
        await page.GetByLabel("Number of images").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();
        var images = page.Locator("#images img");
        await Assertions.Expect(images).ToHaveCountAsync(3);
        foreach (var image in await images.AllAsync())
            Assert.StartsWith("data:image/png;base64,", await image.GetAttributeAsync("src"));

        var screenshot = folder.File("playground.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 0);
    }

    [Fact]
    public async Task A_browser_plays_the_clips_of_an_audio_model()
    {
        await using var server = await ServerHarness.StartAsync(store =>
        {
            using var wavenet = Models.WaveNet.WaveNetFixtures.Model(classes: 2);
            Loom.IO.Checkpoints.Checkpoint.Save(Path.Combine(store, "wavenet"), wavenet, new Loom.IO.Checkpoints.ModelCard());
            return new LoomServerOptions { ModelsFolder = store, Port = 0 };
        });
        var (_, models) = await server.GetAsync("/v1/models");
        Assert.Contains("\"loom.audio\"", models);
        await using var session = await PlaygroundSession.OpenAsync(server, "2 models");
        var page = session.Page;
        await page.GetByLabel("Audio model").SelectOptionAsync("wavenet");
        await page.GetByLabel("Length (samples)").FillAsync("400");
        await page.Locator("#audio-seed").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sample clips" }).ClickAsync();
        await Assertions.Expect(page.Locator("#audio-status")).ToHaveTextAsync("2 clips, seed 3.");
        var clips = page.Locator("#clips audio");
        await Assertions.Expect(clips).ToHaveCountAsync(2);
        foreach (var clip in await clips.AllAsync())
            Assert.StartsWith("data:audio/wav;base64,", await clip.GetAttributeAsync("src"));
        await Assertions.Expect(page.Locator("#clips figcaption").First).ToHaveTextAsync("Clip 1: c0, 0.05 s");
        // The browser decodes the WAV (its duration is the clip's 400 samples at 8 kHz): the media type and CSP allow it.
        var seconds = await clips.First.EvaluateAsync<double>(
            "a => new Promise(r => a.readyState >= 1 ? r(a.duration) : a.addEventListener('loadedmetadata', () => r(a.duration)))");
        Assert.Equal(0.05, seconds, 3);
    }

    /// <summary>Headless Chromium on the playground, the server's key saved and its models listed.</summary>
    private sealed class PlaygroundSession(IPlaywright playwright, IBrowser browser, IPage page) : IAsyncDisposable
    {
        public IPage Page { get; } = page;

        public static async Task<PlaygroundSession> OpenAsync(ServerHarness server, string modelsStatus)
        {
            Assertions.SetDefaultExpectTimeout(120_000);
            var playwright = await Playwright.CreateAsync();
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = HeadlessChromium.Executable, Headless = true, Args = ["--no-sandbox", "--disable-gpu"],
            });
            var page = await browser.NewPageAsync();
            await page.GotoAsync(server.BaseAddress.ToString());
            await page.GetByLabel("API key").FillAsync(server.Key!);
            await page.GetByRole(AriaRole.Button, new() { Name = "Save key and load models" }).ClickAsync();
            await Assertions.Expect(page.Locator("#models-status")).ToHaveTextAsync(modelsStatus);
            return new PlaygroundSession(playwright, browser, page);
        }

        public async ValueTask DisposeAsync()
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}
