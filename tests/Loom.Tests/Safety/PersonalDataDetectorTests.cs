using Loom.Safety;

namespace Loom.Tests.Safety;

public class PersonalDataDetectorTests
{
    [Theory]
    [InlineData("4111111111111111")]        // Visa test number
    [InlineData("4111 1111 1111 1111")]
    [InlineData("5555-5555-5555-4444")]     // Mastercard
    [InlineData("378282246310005")]         // American Express
    [InlineData("6011111111111117")]        // Discover
    [InlineData("3530111333300000")]        // JCB
    [InlineData("30569309025904")]          // Diners Club
    public void PaymentCardsOfKnownNetworksAreFoundWhole(string number)
    {
        string text = $"card: {number}, thanks";
        var flag = Assert.Single(new PaymentCardDetector().Detect(text));
        Assert.Equal(number, flag.Excerpt(text));
        Assert.Equal(ContentCategories.PaymentCard, flag.Category);
        Assert.Equal(0.95, flag.Score);
    }

    [Theory]
    [InlineData("4111 1111 1111 1112")]     // one digit off: the Luhn check fails
    [InlineData("4111 1111 1111")]          // 12 digits
    [InlineData("41111111111111111111")]    // 20 digits
    public void NumbersThatAreNotCardsAreNotFlagged(string number) =>
        Assert.Empty(new PaymentCardDetector().Detect($"ref {number}."));

    [Fact]
    public void LuhnValidNumberOutsideTheNetworksScoresLower()
    {
        string prefix = "990000000012345";
        string number = Enumerable.Range(0, 10).Select(d => prefix + d).Single(NaiveLuhn);
        var flag = Assert.Single(new PaymentCardDetector().Detect(number));
        Assert.Equal(0.6, flag.Score);
    }

    [Fact]
    public void LuhnAgreesWithANaiveReference()
    {
        var random = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            string digits = new(Enumerable.Range(0, random.Next(2, 20)).Select(_ => (char)('0' + random.Next(10))).ToArray());
            Assert.Equal(NaiveLuhn(digits), PaymentCardDetector.PassesLuhn(digits));
        }
    }

    [Theory]
    [InlineData("GB82 WEST 1234 5698 7654 32")]
    [InlineData("DE89370400440532013000")]
    [InlineData("FR14 2004 1010 0505 0001 3M02 606")]
    [InlineData("NL91ABNA0417164300")]
    [InlineData("BE68539007547034")]
    [InlineData("CH9300762011623852957")]
    public void ValidIbansAreFound(string iban)
    {
        string text = $"Pay to {iban} by Friday";
        var flag = Assert.Single(new IbanDetector().Detect(text));
        Assert.Equal(iban, flag.Excerpt(text));
        Assert.True(NaiveMod97(iban.Replace(" ", "")));
    }

    [Theory]
    [InlineData("GB82 WEST 1234 5698 7654 33")]   // check digits no longer match
    [InlineData("GB82 WEST 1234 5698 7654")]      // too short for GB
    [InlineData("ZZ82WEST12345698765432")]         // no such country
    public void InvalidIbansAreNotFlagged(string iban) => Assert.Empty(new IbanDetector().Detect($"iban {iban} end"));

    [Fact]
    public void EmailAddressesAreFoundWithTheirWholeDomain()
    {
        string text = "write to jane.doe+news@example.co.uk now, not to a@b or root@localhost";
        var flag = Assert.Single(new EmailDetector().Detect(text));
        Assert.Equal("jane.doe+news@example.co.uk", flag.Excerpt(text));
    }

    [Theory]
    [InlineData("+44 20 7946 0958", 0.9)]
    [InlineData("+14155552671", 0.9)]
    [InlineData("(555) 123-4567", 0.7)]
    [InlineData("020 7946 0958", 0.7)]
    public void PhoneNumbersAreFound(string number, double score)
    {
        string text = $"call {number} today";
        var flag = Assert.Single(new PhoneNumberDetector().Detect(text));
        Assert.Equal(number, flag.Excerpt(text));
        Assert.Equal(score, flag.Score);
    }

    [Theory]
    [InlineData("on 2024-01-31 we")]
    [InlineData("id 1234567890 here")]
    [InlineData("version 1.2.3 of")]
    [InlineData("in 1066 and 1215")]
    public void DatesIdsAndVersionsAreNotPhoneNumbers(string text) => Assert.Empty(new PhoneNumberDetector().Detect(text));

    /// <summary>Luhn as the textbook states it: from the right, double every second digit and add the digits of each product.</summary>
    private static bool NaiveLuhn(string digits)
    {
        var reversed = digits.Reverse().Select(c => c - '0').ToArray();
        int total = 0;
        for (int i = 0; i < reversed.Length; i++)
            total += (i % 2 == 0 ? reversed[i] : 2 * reversed[i]).ToString().Sum(c => c - '0');
        return total % 10 == 0;
    }

    /// <summary>ISO 7064 mod 97-10 computed digit by digit (no big integers).</summary>
    private static bool NaiveMod97(string iban)
    {
        int remainder = 0;
        foreach (char c in iban[4..] + iban[..4])
            foreach (char d in char.IsDigit(c) ? c.ToString() : (c - 'A' + 10).ToString())
                remainder = (remainder * 10 + (d - '0')) % 97;
        return remainder == 1;
    }
}
