using Loom.Core;
using Loom.Data;

namespace Loom.Tests.Data;

public class FashionMnistClassesTests
{
    [Fact]
    public void Lists_keep_the_order_given_and_accept_names()
    {
        Assert.Equal([7, 5, 0], FashionMnistClasses.ParseList("7, 5,0"));
        Assert.Equal([7, 9, 0, 1], FashionMnistClasses.ParseList("sneaker,Ankle boot,t-shirt,TROUSER"));
        Assert.Equal(9, FashionMnistClasses.ParseOne("ankle-boot", "--domain-a"));
    }

    [Fact]
    public void Bad_lists_name_the_option_and_the_problem()
    {
        Assert.Equal("Classes: class 12 is out of range; Fashion-MNIST classes are 0–9",
            Assert.Throws<LoomUsageException>(() => FashionMnistClasses.ParseList("3,12")).Message);
        Assert.Equal("Classes: class 3 is listed twice",
            Assert.Throws<LoomUsageException>(() => FashionMnistClasses.ParseList("3,sandal,3")).Message);
        Assert.StartsWith("Classes: give at least one class",
            Assert.Throws<LoomUsageException>(() => FashionMnistClasses.ParseList(" , ")).Message);
        Assert.StartsWith("--domain-a: 'boots' is not a Fashion-MNIST class; use 0–9 or one of t-shirt/top, trouser",
            Assert.Throws<LoomUsageException>(() => FashionMnistClasses.ParseOne("boots", "--domain-a")).Message);
        Assert.Throws<LoomUsageException>(() => FashionMnistClasses.Check([-1]));
    }
}
