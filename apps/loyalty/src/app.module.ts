import { Module } from '@nestjs/common';

/** Root module of the loyalty service; its business modules are imported here. */
@Module({})
export class AppModule {}
