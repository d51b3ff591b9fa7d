using System.Globalization;
using System.Text;

namespace MergeTrain.Demo;

/// <summary>The demo's GitLab project, <c>demo/shop</c>: a small shop whose CI is the lint of <c>lint.rules</c>.</summary>
public static class DemoProject
{
    /// <summary>
    /// Stable across runs, so that the dashboard and the API links stay the same; the demo resets the
    /// data directory at start instead (see <see cref="DemoDataDirectory"/>).
    /// </summary>
    public const long Id = 1;

    public const string Path = "demo/shop";

    public const string TargetBranch = "main";

    public const string TrainLabel = "merge-train";

    /// <summary>The word the rule of scenario B forbids, and what bad merge requests contain.</summary>
    public const string ForbiddenWord = "TODO";

    /// <summary>The file the conflicting merge requests edit, one price a line.</summary>
    public const string PricesFile = "prices.txt";

    /// <summary>The products priced in <see cref="PricesFile"/>, one line each.</summary>
    public static readonly IReadOnlyList<string> Products =
    [
        "apples", "bread", "cheese", "coffee", "eggs", "honey", "milk", "olives", "pasta", "rice", "tea", "tomatoes",
    ];

    /// <summary>The files of the first commit on <c>main</c>.</summary>
    public static IReadOnlyDictionary<string, string> InitialFiles => new Dictionary<string, string>
    {
        ["README.md"] = "# demo/shop\n\nA tiny shop, merged by MergeTrain. CI lints every file against lint.rules.\n",
        ["lint.rules"] = "# one forbidden word per line; CI fails when any other file contains one\n",
        [PricesFile] = InitialPrices(),
        ["src/cart.txt"] = "The cart holds products and their quantities.\n",
        ["src/checkout.txt"] = "Checkout takes the cart, the address and a payment.\n",
    };

    /// <summary>The first <see cref="PricesFile"/>.</summary>
    public static string InitialPrices()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Products.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Products[i]}: {1.5m + i:0.00} EUR\n");
        }

        return text.ToString();
    }

    /// <summary><paramref name="prices"/> with the line of <paramref name="product"/> set to <paramref name="price"/>.</summary>
    public static string WithPrice(string prices, string product, decimal price)
    {
        ArgumentNullException.ThrowIfNull(prices);
        var lines = prices.Split('\n').Select(line => line.StartsWith(product + ":", StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"{product}: {price:0.00} EUR")
            : line);
        return string.Join('\n', lines);
    }
}
