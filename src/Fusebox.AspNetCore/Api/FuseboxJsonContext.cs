using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fusebox.AspNetCore;

/// <summary>
/// Compile-time JSON metadata for everything the admin API and the event stream write. The endpoints serialize
/// through it instead of the application's <c>JsonOptions</c>: no reflection, so the API works in trimmed and
/// native-AOT applications, and its shape (camelCase, web defaults) does not change with the application's settings.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(BreakerView))]
[JsonSerializable(typeof(BreakerView[]))]
[JsonSerializable(typeof(StateChangeView))]
[JsonSerializable(typeof(CapabilitiesView))]
[JsonSerializable(typeof(ConfiguredBreakerView[]))]
[JsonSerializable(typeof(BreakerGroupView[]))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(ControlRequest))]
internal sealed partial class FuseboxJsonContext : JsonSerializerContext;
