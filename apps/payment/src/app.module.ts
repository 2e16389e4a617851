import { Module } from '@nestjs/common';
import { paymentTokenSealerProvider } from '@platform/service-kit';
import { GatewayCircuit } from './gateway/gateway-circuit.js';
import { PAYMENT_GATEWAY, SimulatedPaymentGateway } from './gateway/payment-gateway.js';
import { PaymentMetrics } from './payment.metrics.js';
import { OrderEventsController } from './payments/order-events.controller.js';
import { PaymentsController } from './payments/payments.controller.js';
import { PaymentsService } from './payments/payments.service.js';

/** Root module of the payment service: payments (events and HTTP) behind the simulated gateway. */
@Module({
  controllers: [PaymentsController, OrderEventsController],
  providers: [PaymentsService, PaymentMetrics, GatewayCircuit, { provide: PAYMENT_GATEWAY, useClass: SimulatedPaymentGateway }, paymentTokenSealerProvider],
})
export class AppModule {}
