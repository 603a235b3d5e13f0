namespace Checkout.Tests;

/// <summary>The scenario tests run one at a time: each drives hundreds of checkouts a second through real sockets,
/// and two at once on a 2-core machine would measure each other's load.</summary>
[CollectionDefinition(nameof(ScenarioCollection))]
public sealed class ScenarioCollection;
