return await Checkout.CheckoutApp.RunAsync(args, Console.Out);
